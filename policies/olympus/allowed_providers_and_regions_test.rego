# Tests of allowed_providers_and_regions: providers by source address, provider regions, Google locations and zones.
package main

import rego.v1

allowed_providers_and_regions_test_rc(address, provider, actions, after) := {
	"address": address,
	"mode": "managed",
	"type": split(address, ".")[0],
	"provider_name": provider,
	"change": {"actions": actions, "before": null, "after": after, "after_unknown": {}},
}

test_allowed_providers_and_regions_unlisted_provider_is_denied if {
	changes := [
		allowed_providers_and_regions_test_rc("null_resource.x", "registry.terraform.io/hashicorp/null", ["create"], {}),
		allowed_providers_and_regions_test_rc("aws_s3_bucket.b", "registry.terraform.io/hashicorp/aws", ["create"], {}),
		allowed_providers_and_regions_test_rc("terraform_data.d", "terraform.io/builtin/terraform", ["create"], {}),
	]
	denied := deny_provider with input.resource_changes as changes
	denied == {{
		"address": "null_resource.x",
		"msg": "null_resource.x uses the provider registry.terraform.io/hashicorp/null, which is not in the allowed providers; use an allowed provider or add it to allowed_providers",
	}}
}

test_allowed_providers_and_regions_opentofu_registry_is_the_same_provider if {
	changes := [allowed_providers_and_regions_test_rc("aws_s3_bucket.b", "registry.opentofu.org/hashicorp/aws", ["update"], {})]
	denied := deny_provider with input.resource_changes as changes
	count(denied) == 0
}

test_allowed_providers_and_regions_deleting_an_unlisted_providers_resource_passes if {
	changes := [
		allowed_providers_and_regions_test_rc("null_resource.x", "registry.terraform.io/hashicorp/null", ["delete"], null),
		allowed_providers_and_regions_test_rc("null_resource.y", "registry.terraform.io/hashicorp/null", ["forget"], null),
	]
	denied := deny_provider with input.resource_changes as changes
	count(denied) == 0
}

test_allowed_providers_and_regions_parameter_replaces_the_list if {
	changes := [
		allowed_providers_and_regions_test_rc("null_resource.x", "registry.terraform.io/hashicorp/null", ["create"], {}),
		allowed_providers_and_regions_test_rc("aws_s3_bucket.b", "registry.terraform.io/hashicorp/aws", ["create"], {}),
	]
	olympus := {"parameters": {"allowed_providers": ["registry.terraform.io/hashicorp/null"]}}
	denied := deny_provider with input.resource_changes as changes with data.olympus as olympus
	{m.address | some m in denied} == {"aws_s3_bucket.b"}
}

test_allowed_providers_and_regions_provider_region_outside_the_list_is_denied if {
	configuration := {"provider_config": {
		"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}},
		"aws.eu": {"name": "aws", "alias": "eu", "expressions": {"region": {"constant_value": "eu-west-1"}}},
		"module.net:aws": {"name": "aws", "expressions": {"region": {"constant_value": "ap-south-1"}}},
		"aws.var": {"name": "aws", "alias": "var", "expressions": {"region": {"references": ["var.region"]}}},
	}}
	olympus := {"parameters": {"allowed_regions": ["eu-west-1", "eu-central-1"]}}
	denied := deny_region with input.configuration as configuration with data.olympus as olympus
	{m.address | some m in denied} == {"provider.aws", "module.net.provider.aws"}
	some m in denied
	m.msg == "provider.aws is configured for the region us-east-1, which is not in the allowed regions (eu-central-1, eu-west-1); use one of them"
}

test_allowed_providers_and_regions_no_region_list_says_nothing if {
	configuration := {"provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}}}
	changes := [allowed_providers_and_regions_test_rc("google_storage_bucket.b", "registry.terraform.io/hashicorp/google", ["create"], {"location": "US"})]
	denied := deny_region with input.configuration as configuration with input.resource_changes as changes
	count(denied) == 0
}

test_allowed_providers_and_regions_google_location_and_zone_are_checked if {
	google := "registry.terraform.io/hashicorp/google"
	changes := [
		allowed_providers_and_regions_test_rc("google_storage_bucket.us", google, ["create"], {"location": "US"}),
		allowed_providers_and_regions_test_rc("google_storage_bucket.eu", google, ["create"], {"location": "EUROPE-WEST1"}),
		allowed_providers_and_regions_test_rc("google_compute_instance.a", google, ["create"], {"zone": "europe-west1-b"}),
		allowed_providers_and_regions_test_rc("google_compute_instance.b", google, ["create"], {"zone": "us-central1-a"}),
		allowed_providers_and_regions_test_rc("google_compute_subnetwork.s", google, ["create"], {"region": "europe-west1"}),
	]
	olympus := {"parameters": {"allowed_regions": ["europe-west1"]}}
	denied := deny_region with input.resource_changes as changes with data.olympus as olympus
	{m.address | some m in denied} == {"google_storage_bucket.us", "google_compute_instance.b"}
}

test_allowed_providers_and_regions_aws_resource_region_and_zone_names if {
	aws := "registry.terraform.io/hashicorp/aws"
	changes := [
		allowed_providers_and_regions_test_rc("aws_s3_bucket.a", aws, ["create"], {"region": "us-west-2"}),
		allowed_providers_and_regions_test_rc("aws_s3_bucket.b", aws, ["create"], {"region": "eu-west-1"}),
		allowed_providers_and_regions_test_rc("aws_ebs_volume.c", aws, ["create"], {"availability_zone": "us-east-1a"}),
	]
	olympus := {"parameters": {"allowed_regions": ["eu-west-1"]}}
	denied := deny_region with input.resource_changes as changes with data.olympus as olympus
	{m.address | some m in denied} == {"aws_s3_bucket.a"}
	allowed_providers_and_regions_allowed("eu-west-1b") with data.olympus as olympus
}
