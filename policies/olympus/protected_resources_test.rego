# Tests of protected_resources: the protected tag before the change, the base branch's prevent_destroy list.
package main

import rego.v1

protected_resources_test_rc(address, actions, before) := {
	"address": address,
	"mode": "managed",
	"type": "aws_db_instance",
	"provider_name": "registry.terraform.io/hashicorp/aws",
	"change": {"actions": actions, "before": before, "after": null, "after_unknown": {}},
}

test_protected_resources_deleting_a_protected_resource_is_denied if {
	changes := [protected_resources_test_rc("aws_db_instance.main", ["delete"], {"tags": {"protected": "true"}, "tags_all": {"protected": "true"}})]
	denied := deny_protected with input.resource_changes as changes
	denied == {{
		"address": "aws_db_instance.main",
		"msg": "aws_db_instance.main is tagged protected = true and this plan would delete it; remove the tag in a reviewed change of its own first if it really must go",
	}}
}

test_protected_resources_replacing_or_forgetting_is_denied_too if {
	changes := [
		protected_resources_test_rc("aws_db_instance.a", ["create", "delete"], {"tags_all": {"protected": "true"}}),
		protected_resources_test_rc("aws_db_instance.b", ["forget"], {"tags": {"protected": "TRUE"}}),
	]
	denied := deny_protected with input.resource_changes as changes
	{m.msg | some m in denied} == {
		"aws_db_instance.a is tagged protected = true and this plan would replace it; remove the tag in a reviewed change of its own first if it really must go",
		"aws_db_instance.b is tagged protected = true and this plan would forget it; remove the tag in a reviewed change of its own first if it really must go",
	}
}

test_protected_resources_updates_and_unprotected_deletes_pass if {
	update := object.union(protected_resources_test_rc("aws_db_instance.a", ["update"], {"tags": {"protected": "true"}}), {"change": {"after": {"tags": {}}}})
	changes := [
		update,
		protected_resources_test_rc("aws_db_instance.b", ["delete"], {"tags": {"protected": "false"}}),
		protected_resources_test_rc("aws_db_instance.c", ["delete"], {"tags": null}),
	]
	denied := deny_protected with input.resource_changes as changes
	count(denied) == 0
}

test_protected_resources_tag_name_is_a_parameter if {
	changes := [
		protected_resources_test_rc("aws_db_instance.a", ["delete"], {"tags": {"keep": "true"}}),
		protected_resources_test_rc("aws_db_instance.b", ["delete"], {"tags": {"protected": "true"}}),
	]
	olympus := {"parameters": {"protected_tag": "keep"}}
	denied := deny_protected with input.resource_changes as changes with data.olympus as olympus
	{m.address | some m in denied} == {"aws_db_instance.a"}
}

test_protected_resources_google_label_counts if {
	change := object.union(protected_resources_test_rc("google_sql_database_instance.db", ["delete"], {"labels": {"protected": "true"}}), {"provider_name": "registry.terraform.io/hashicorp/google"})
	changes := [change]
	denied := deny_protected with input.resource_changes as changes
	count(denied) == 1
}

test_protected_resources_prevent_destroy_in_the_base_branch_is_denied if {
	changes := [
		protected_resources_test_rc(`module.db["eu"].aws_db_instance.main`, ["delete"], {}),
		protected_resources_test_rc("aws_s3_bucket.state", ["delete", "create"], {}),
		protected_resources_test_rc("aws_s3_bucket.other", ["delete"], {}),
	]
	olympus := {"protected": ["module.db.aws_db_instance.main", "aws_s3_bucket.state"]}
	denied := deny_protected with input.resource_changes as changes with data.olympus as olympus
	{m.address | some m in denied} == {`module.db["eu"].aws_db_instance.main`, "aws_s3_bucket.state"}
	some m in denied
	m.msg == "aws_s3_bucket.state had lifecycle prevent_destroy in the base branch and this plan would replace it; restore the resource's block, or drop prevent_destroy in a reviewed change of its own first"
}

test_protected_resources_listed_resource_updated_passes if {
	changes := [protected_resources_test_rc("aws_s3_bucket.state", ["update"], {})]
	olympus := {"protected": ["aws_s3_bucket.state"]}
	denied := deny_protected with input.resource_changes as changes with data.olympus as olympus
	count(denied) == 0
}
