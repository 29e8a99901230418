# Tests of the shared helpers: defaults without data, module addresses from the configuration, environments.
# The tests of this set replace input.resource_changes / input.configuration, never the whole input, and bind a
# value to a variable before `with ... as` it: under rego-cpp 1.5.2 `with input as` crashes once a rule calls a
# built-in, and `with x as <a rule>` is silently ignored.
package main

import rego.v1

common_test_rc(address, after) := {
	"address": address,
	"mode": "managed",
	"type": "aws_s3_bucket",
	"provider_name": "registry.terraform.io/hashicorp/aws",
	"change": {"actions": ["create"], "after": after, "after_unknown": {}},
}

common_test_configuration := {"root_module": {
	"resources": [{"address": "aws_s3_bucket.a", "mode": "managed", "type": "aws_s3_bucket", "name": "a"}],
	"module_calls": {"net": {"module": {
		"resources": [{"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main"}],
		"module_calls": {"inner": {"module": {"resources": [{"address": "data.external.x", "mode": "data", "type": "external", "name": "x"}]}}},
	}}},
}}

test_common_parameters_default_to_empty_without_data if {
	olympus_params == {}
	olympus_param("required_tags", ["owner"]) == ["owner"]
}

test_common_parameters_come_from_data_olympus if {
	olympus_param("required_tags", ["owner"]) == ["team"] with data.olympus as {"parameters": {"required_tags": ["team"]}}
}

test_common_configuration_resources_have_full_addresses if {
	configuration := common_test_configuration
	addresses := {r.address | some r in olympus_config_resources} with input.configuration as configuration
	addresses == {"aws_s3_bucket.a", "module.net.aws_vpc.main", "module.net.module.inner.data.external.x"}
}

test_common_no_configuration_means_no_resources if {
	count(olympus_config_resources) == 0
}

test_common_config_address_drops_instance_keys if {
	olympus_config_address(`module.a["x"].aws_s3_bucket.b[0]`) == "module.a.aws_s3_bucket.b"
}

test_common_env_is_the_projects if {
	olympus_env(common_test_rc("aws_s3_bucket.a", {"tags_all": {"env": "dev"}})) == "prod" with data.olympus as {"project": {"env": "prod"}}
}

test_common_env_falls_back_to_the_env_tag if {
	olympus_env(common_test_rc("aws_s3_bucket.a", {"tags_all": {"env": "dev"}})) == "dev" with data.olympus as {"project": {"env": ""}}
}

test_common_env_is_star_when_unknown if {
	olympus_env(common_test_rc("aws_s3_bucket.a", {"tags": null})) == "*"
}

test_common_delete_and_forget_are_deletes if {
	olympus_deletes({"mode": "managed", "change": {"actions": ["delete", "create"]}})
	olympus_deletes({"mode": "managed", "change": {"actions": ["forget"]}})
	not olympus_deletes({"mode": "managed", "change": {"actions": ["update"]}})
	not olympus_deletes({"mode": "data", "change": {"actions": ["delete"]}})
}
