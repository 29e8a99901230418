# Required tags: every resource created or updated that can carry tags (AWS `tags`, Google `labels`) ends with
# each required key set, counting the provider's default tags.
package main

import rego.v1

required_tags_keys := olympus_param("required_tags", ["owner", "env"])

deny_missing_tags contains msg if {
	some rc in olympus_resource_changes
	olympus_creates_or_updates(rc)
	required_tags_taggable(rc)
	present := required_tags_present(rc)
	missing := [key | some key in required_tags_keys; not key in present]
	count(missing) > 0
	msg := {
		"msg": concat("", [
			rc.address, " lacks the required ", required_tags_noun(rc, missing), " ", olympus_sorted_list(missing),
			"; set ", required_tags_pronoun(missing), " in its ", required_tags_attribute(rc),
			" or in the provider's ", required_tags_defaults_name(rc),
		]),
		"address": rc.address,
	}
}

# A resource whose schema has tags shows a `tags` or `tags_all` key in its after state (null when unset), known or
# not; a Google resource shows `labels`.
required_tags_taggable(rc) if {
	not olympus_is_google(rc)
	some key in ["tags", "tags_all"]
	required_tags_has_key(rc, key)
}

required_tags_taggable(rc) if {
	olympus_is_google(rc)
	some key in ["labels", "effective_labels"]
	required_tags_has_key(rc, key)
}

required_tags_has_key(rc, key) if _ = olympus_after(rc)[key]

required_tags_has_key(rc, key) if olympus_after_unknown(rc)[key]

# The keys present: those of the known final tags, those whose value is unknown until apply (the key is there), and
# when the whole tags_all is unknown, the resource's own tags plus the provider's default_tags.
required_tags_present(rc) := keys if {
	unknown := olympus_after_unknown(rc)
	keys := ((required_tags_set_keys(required_tags_final(rc)) | required_tags_true_keys(unknown, required_tags_attribute(rc))) | required_tags_true_keys(unknown, "tags_all")) | required_tags_true_keys(unknown, "effective_labels")
}

# (`some key, value in x` inside a comprehension does not parse under rego-cpp: the comma reads as a list's.)
required_tags_set_keys(tags) := {key | some key; tags[key] != ""}

# The keys of an after_unknown map whose value is unknown; {} when the attribute is not a map there.
required_tags_true_keys(unknown, attribute) := {key | some key; unknown[attribute][key] == true} if {
	is_object(unknown[attribute])
} else := set()


required_tags_final(rc) := object.union(required_tags_defaults(rc), required_tags_own(rc)) if {
	required_tags_all_unknown(rc)
} else := olympus_after_tags(rc)

required_tags_all_unknown(rc) if olympus_after_unknown(rc).tags_all == true

required_tags_all_unknown(rc) if olympus_after_unknown(rc).effective_labels == true

required_tags_own(rc) := tags if {
	tags := olympus_after(rc)[required_tags_attribute(rc)]
	is_object(tags)
} else := {}

required_tags_defaults(rc) := tags if {
	tags := olympus_provider_config(rc).expressions.default_tags[0].tags.constant_value
	is_object(tags)
} else := tags if {
	tags := olympus_provider_config(rc).expressions.default_labels.constant_value
	is_object(tags)
} else := {}

required_tags_attribute(rc) := "labels" if {
	olympus_is_google(rc)
} else := "tags"

required_tags_defaults_name(rc) := "default_labels" if {
	olympus_is_google(rc)
} else := "default_tags"

required_tags_noun(rc, missing) := trim_suffix(required_tags_attribute(rc), "s") if {
	count(missing) == 1
} else := required_tags_attribute(rc)

required_tags_pronoun(missing) := "it" if {
	count(missing) == 1
} else := "them"
