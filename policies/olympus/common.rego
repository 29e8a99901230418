# Helpers shared by Olympus's default policies: the data Olympus passes (with defaults, so that plain `conftest`
# with no data works too), a resource change's before/after states, and the configuration's resources with their
# full addresses. Every name here starts with `olympus_` so that it cannot clash with a rule of another set.
# Messages are built with concat, not sprintf: rego-cpp's sprintf puts quotes around a string another built-in made.
package main

import rego.v1

# `data` as a whole cannot be read from package main (it holds package main itself): read data.olympus, or {}.
default olympus_data := {}

olympus_data := data.olympus if is_object(data.olympus)

olympus_params := object.get(olympus_data, "parameters", {})

olympus_project := object.get(olympus_data, "project", {})

olympus_param(name, fallback) := object.get(olympus_params, name, fallback)

olympus_resource_changes := object.get(input, "resource_changes", [])

# The resource changes by type, computed once: a rule about buckets reads the buckets, not every change of a
# 10,000-resource plan (rego-cpp spends tens of microseconds on each element it visits).
olympus_types := {rc.type | some rc in olympus_resource_changes}

olympus_changes_by_type[type] := [rc | some rc in olympus_resource_changes; rc.type == type] if some type in olympus_types

# The changes that end a resource (delete, replace, forget), found once for every rule about them.
olympus_ending_changes := [rc | some rc in olympus_resource_changes; olympus_deletes(rc)]

olympus_changes_of(types) := [rc | some type in types; some rc in object.get(olympus_changes_by_type, type, [])]

olympus_actions(rc) := object.get(object.get(rc, "change", {}), "actions", [])

olympus_is_managed(rc) if object.get(rc, "mode", "managed") == "managed"

# A change that leaves the resource existing with its after state: create, update, or the create half of a replace.
olympus_creates_or_updates(rc) if {
	olympus_is_managed(rc)
	some action in olympus_actions(rc)
	action in {"create", "update"}
}

# A change that ends Terraform's management of what exists: delete (alone or in a replace) or forget.
olympus_deletes(rc) if {
	olympus_is_managed(rc)
	some action in olympus_actions(rc)
	action in {"delete", "forget"}
}

# after/before are null for a delete/create; an object is easier to read with object.get.
olympus_after(rc) := after if {
	after := rc.change.after
	is_object(after)
} else := {}

olympus_before(rc) := before if {
	before := rc.change.before
	is_object(before)
} else := {}

olympus_after_unknown(rc) := unknown if {
	unknown := rc.change.after_unknown
	is_object(unknown)
} else := {}

# A nested block (a list of objects in the plan) as a list, [] when absent, null or unknown.
olympus_blocks(values, name) := blocks if {
	blocks := values[name]
	is_array(blocks)
} else := []

olympus_is_google(rc) if startswith(olympus_provider_source(rc.provider_name), "hashicorp/google")

# "registry.terraform.io/hashicorp/aws" → "hashicorp/aws"; OpenTofu's registry names the same providers.
olympus_provider_source(name) := trim_prefix(trim_prefix(name, "registry.terraform.io/"), "registry.opentofu.org/")

# A module path without instance keys: module.a["x"].aws_s3_bucket.b[0] → module.a.aws_s3_bucket.b, the
# configuration's way of naming it.
olympus_config_address(address) := regex.replace(address, `\[[^\]]*\]`, "")

# Every module of the configuration as [address prefix, module]: root_module, then module_calls.<name>.module down
# to a nesting depth of six. Rego has no recursion, and rego-cpp's walk() finds nothing in a value given by `with`
# (which the tests do), so each depth is a rule of its own.
olympus_config_modules := ((((olympus_config_modules_0 | olympus_config_modules_1) | olympus_config_modules_2) | olympus_config_modules_3) | olympus_config_modules_4) | (olympus_config_modules_5 | olympus_config_modules_6)

olympus_config_modules_0 contains ["", module] if {
	module := input.configuration.root_module
	is_object(module)
}

olympus_config_modules_1 contains pair if some pair in olympus_config_children(olympus_config_modules_0)

olympus_config_modules_2 contains pair if some pair in olympus_config_children(olympus_config_modules_1)

olympus_config_modules_3 contains pair if some pair in olympus_config_children(olympus_config_modules_2)

olympus_config_modules_4 contains pair if some pair in olympus_config_children(olympus_config_modules_3)

olympus_config_modules_5 contains pair if some pair in olympus_config_children(olympus_config_modules_4)

olympus_config_modules_6 contains pair if some pair in olympus_config_children(olympus_config_modules_5)

olympus_config_children(parents) := {[concat("", [prefix, "module.", name, "."]), call.module] |
	some [prefix, parent] in parents
	some name
	call := parent.module_calls[name]
	is_object(call.module)
}

# Every resource and data source of the configuration: its full address (module prefix included), the module's
# prefix and the configuration block itself.
olympus_config_resources contains {"address": concat("", [prefix, resource.address]), "prefix": prefix, "block": resource} if {
	some [prefix, module] in olympus_config_modules
	some resource in object.get(module, "resources", [])
}

# The configuration block of a resource change (matched on the address without instance keys), when there is one.
olympus_config_block(rc) := block if {
	some resource in olympus_config_resources
	resource.address == olympus_config_address(rc.address)
	block := resource.block
}

# The provider configuration a resource uses: its block's provider_config_key, else the provider's local name.
olympus_provider_config(rc) := config if {
	key := object.get(olympus_config_block(rc), "provider_config_key", "")
	config := input.configuration.provider_config[key]
} else := config if {
	parts := split(rc.provider_name, "/")
	config := input.configuration.provider_config[parts[count(parts) - 1]]
} else := {}

# The tags a resource ends with when known (tags_all includes the provider's default_tags), else its own tags;
# for Google resources their labels (effective_labels includes the provider's default_labels).
olympus_tags(values) := tags if {
	tags := values.tags_all
	is_object(tags)
} else := tags if {
	tags := values.tags
	is_object(tags)
} else := {}

olympus_labels(values) := labels if {
	labels := values.effective_labels
	is_object(labels)
} else := labels if {
	labels := values.labels
	is_object(labels)
} else := {}

olympus_after_tags(rc) := labels if {
	olympus_is_google(rc)
	labels := olympus_labels(olympus_after(rc))
} else := olympus_tags(olympus_after(rc))

olympus_before_tags(rc) := object.union(olympus_tags(olympus_before(rc)), olympus_labels(olympus_before(rc)))

# The environment a resource belongs to: the project's, else its env tag or label, else "*" (an unknown one).
olympus_env(rc) := env if {
	env := object.get(olympus_project, "env", "")
	is_string(env)
	env != ""
} else := env if {
	env := olympus_after_tags(rc).env
	is_string(env)
	env != ""
} else := "*"

olympus_sorted_list(values) := concat(", ", sort(values))
