# Tests of required_tags: tags_all, tags, unknown tags with the provider's default_tags, Google labels, parameters.
package main

import rego.v1

required_tags_test_rc(after, unknown) := {
	"address": "aws_s3_bucket.logs",
	"mode": "managed",
	"type": "aws_s3_bucket",
	"name": "logs",
	"provider_name": "registry.terraform.io/hashicorp/aws",
	"change": {"actions": ["create"], "before": null, "after": after, "after_unknown": unknown},
}

required_tags_test_default_tags_config(tags) := {
	"provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws", "expressions": {"default_tags": [{"tags": {"constant_value": tags}}]}}},
	"root_module": {"resources": [{"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs", "provider_config_key": "aws"}]},
}

test_required_tags_missing_keys_are_denied_once_per_resource if {
	changes := [required_tags_test_rc({"tags": {"owner": "team-a"}, "tags_all": {"owner": "team-a"}}, {})]
	denied := deny_missing_tags with input.resource_changes as changes
	denied == {{
		"address": "aws_s3_bucket.logs",
		"msg": "aws_s3_bucket.logs lacks the required tag env; set it in its tags or in the provider's default_tags",
	}}
}

test_required_tags_no_tags_at_all_names_every_key if {
	changes := [required_tags_test_rc({"tags": null, "tags_all": {}}, {})]
	denied := deny_missing_tags with input.resource_changes as changes
	[m.msg | some m in denied] == ["aws_s3_bucket.logs lacks the required tags env, owner; set them in its tags or in the provider's default_tags"]
}

test_required_tags_tags_all_with_every_key_passes if {
	changes := [required_tags_test_rc({"tags": null, "tags_all": {"owner": "a", "env": "dev"}}, {})]
	denied := deny_missing_tags with input.resource_changes as changes
	count(denied) == 0
}

test_required_tags_empty_value_counts_as_missing if {
	changes := [required_tags_test_rc({"tags_all": {"owner": "", "env": "dev"}}, {})]
	denied := deny_missing_tags with input.resource_changes as changes
	count(denied) == 1
}

test_required_tags_tag_with_an_unknown_value_counts_as_present if {
	changes := [required_tags_test_rc({"tags": {"env": "dev"}, "tags_all": {"env": "dev"}}, {"tags": {"owner": true}, "tags_all": {"owner": true}})]
	denied := deny_missing_tags with input.resource_changes as changes
	count(denied) == 0
}

test_required_tags_unknown_tags_all_uses_tags_and_default_tags if {
	changes := [required_tags_test_rc({"tags": {"env": "dev"}}, {"tags_all": true})]
	configuration := required_tags_test_default_tags_config({"owner": "platform"})
	denied := deny_missing_tags with input.resource_changes as changes with input.configuration as configuration
	count(denied) == 0
}

test_required_tags_unknown_tags_all_without_default_tags_is_denied if {
	changes := [required_tags_test_rc({"tags": {"env": "dev"}}, {"tags_all": true})]
	configuration := required_tags_test_default_tags_config({"team": "platform"})
	denied := deny_missing_tags with input.resource_changes as changes with input.configuration as configuration
	[m.address | some m in denied] == ["aws_s3_bucket.logs"]
}

test_required_tags_untaggable_deleted_and_data_resources_pass if {
	untaggable := object.union(required_tags_test_rc({"policy": "{}"}, {}), {"type": "aws_s3_bucket_policy", "address": "aws_s3_bucket_policy.p"})
	deleted := object.union(required_tags_test_rc(null, {}), {"change": {"actions": ["delete"], "before": {"tags": {}}, "after": null}})
	read := object.union(required_tags_test_rc({"tags": {}}, {}), {"mode": "data", "address": "data.aws_s3_bucket.logs"})
	changes := [untaggable, deleted, read]
	denied := deny_missing_tags with input.resource_changes as changes
	count(denied) == 0
}

test_required_tags_parameters_replace_the_keys if {
	changes := [required_tags_test_rc({"tags_all": {"owner": "a", "env": "dev"}}, {})]
	olympus := {"parameters": {"required_tags": ["cost-center"]}}
	denied := deny_missing_tags with input.resource_changes as changes with data.olympus as olympus
	[m.msg | some m in denied] == ["aws_s3_bucket.logs lacks the required tag cost-center; set it in its tags or in the provider's default_tags"]
}

test_required_tags_google_resources_need_labels if {
	bucket := object.union(required_tags_test_rc({"labels": {"owner": "a"}, "effective_labels": {"owner": "a", "goog-terraform-provisioned": "true"}}, {}), {
		"type": "google_storage_bucket",
		"address": "google_storage_bucket.b",
		"provider_name": "registry.terraform.io/hashicorp/google",
	})
	labelled := object.union(bucket, {"address": "google_storage_bucket.ok", "change": {"after": {"labels": {"owner": "a", "env": "dev"}, "effective_labels": {"owner": "a", "env": "dev"}}}})
	changes := [bucket, labelled]
	denied := deny_missing_tags with input.resource_changes as changes
	[m.msg | some m in denied] == ["google_storage_bucket.b lacks the required label env; set it in its labels or in the provider's default_labels"]
}
