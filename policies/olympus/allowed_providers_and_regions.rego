# Allowed providers and regions: every resource comes from an allowed provider, and when a list of regions is given,
# provider configurations and Google resources stay in it.
package main

import rego.v1

allowed_providers_and_regions_default_providers := [
	"registry.terraform.io/hashicorp/aws",
	"registry.terraform.io/hashicorp/google",
	"registry.terraform.io/hashicorp/google-beta",
	"registry.terraform.io/hashicorp/kubernetes",
	"registry.terraform.io/hashicorp/helm",
	"registry.terraform.io/hashicorp/random",
	"registry.terraform.io/hashicorp/tls",
	"registry.terraform.io/hashicorp/time",
	"registry.terraform.io/hashicorp/archive",
	"terraform.io/builtin/terraform",
]

allowed_providers_and_regions_providers := {olympus_provider_source(name) |
	some name in olympus_param("allowed_providers", allowed_providers_and_regions_default_providers)
}

allowed_providers_and_regions_regions := {lower(region) | some region in olympus_param("allowed_regions", [])}

# Deleting or forgetting a resource of a provider no longer allowed is the way out, so it is not reported.
# The providers the plan uses, each once: a plan of 10,000 resources names a handful.
allowed_providers_and_regions_used := {rc.provider_name | some rc in olympus_resource_changes}

deny_provider contains msg if {
	some name in allowed_providers_and_regions_used
	not olympus_provider_source(name) in allowed_providers_and_regions_providers
	some rc in olympus_resource_changes
	rc.provider_name == name
	not olympus_actions(rc) in [["delete"], ["forget"]]
	msg := {
		"msg": concat("", [rc.address, " uses the provider ", rc.provider_name, ", which is not in the allowed providers; use an allowed provider or add it to allowed_providers"]),
		"address": rc.address,
	}
}

deny_region contains msg if {
	count(allowed_providers_and_regions_regions) > 0
	some key, config in object.get(object.get(input, "configuration", {}), "provider_config", {})
	region := config.expressions.region.constant_value
	is_string(region)
	not allowed_providers_and_regions_allowed(region)
	address := allowed_providers_and_regions_provider_address(key)
	msg := {
		"msg": concat("", [address, " is configured for the region ", region, ", which is not in the allowed regions (", olympus_sorted_list(allowed_providers_and_regions_regions), "); use one of them"]),
		"address": address,
	}
}

# A resource's own region (AWS provider 6, Google), and a Google resource's location or zone.
deny_region contains msg if {
	count(allowed_providers_and_regions_regions) > 0
	some rc in olympus_resource_changes
	olympus_creates_or_updates(rc)
	some attribute in allowed_providers_and_regions_attributes(rc)
	value := olympus_after(rc)[attribute]
	is_string(value)
	value != ""
	not allowed_providers_and_regions_allowed(value)
	msg := {
		"msg": concat("", [rc.address, " has ", attribute, " ", value, ", which is not in the allowed regions (", olympus_sorted_list(allowed_providers_and_regions_regions), "); use one of them"]),
		"address": rc.address,
	}
}

allowed_providers_and_regions_attributes(rc) := ["region", "location", "zone"] if {
	olympus_is_google(rc)
} else := ["region"]

# A region is allowed as it is, or a zone by its region (europe-west1-b → europe-west1, eu-west-1a → eu-west-1);
# case does not matter (GCS writes locations in capitals).
allowed_providers_and_regions_allowed(value) if lower(value) in allowed_providers_and_regions_regions

allowed_providers_and_regions_allowed(value) if {
	regex.match(`^[a-z]+(-[a-z]+)+[0-9]+-[a-z]$`, lower(value))
	regex.replace(lower(value), `-[a-z]$`, "") in allowed_providers_and_regions_regions
}

allowed_providers_and_regions_allowed(value) if {
	regex.match(`^[a-z]+(-[a-z]+)+-[0-9]+[a-z]$`, lower(value))
	regex.replace(lower(value), `[a-z]$`, "") in allowed_providers_and_regions_regions
}

# provider_config's key as an address: "aws.east" → provider.aws.east, "module.net:aws" → module.net.provider.aws.
allowed_providers_and_regions_provider_address(key) := address if {
	[module, name] := split(key, ":")
	address := concat("", [module, ".provider.", name])
} else := concat("", ["provider.", key])
