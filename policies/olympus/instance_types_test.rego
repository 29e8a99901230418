# Tests of instance_types: per-environment patterns, the "*" fallback, the env tag, RDS and Google types.
package main

import rego.v1

instance_types_test_rc(address, after) := {
	"address": address,
	"mode": "managed",
	"type": split(address, ".")[0],
	"provider_name": "registry.terraform.io/hashicorp/aws",
	"change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}},
}

test_instance_types_large_instance_outside_prod_is_denied if {
	changes := [instance_types_test_rc("aws_instance.web", {"instance_type": "m5.4xlarge", "tags_all": {"env": "dev"}})]
	denied := deny_instance_type with input.resource_changes as changes
	denied == {{
		"address": "aws_instance.web",
		"msg": "aws_instance.web uses the instance_type m5.4xlarge, which the environment dev does not allow (t3.*, t3a.*, t4g.*, m5.large, m5.xlarge, m6i.large, m6i.xlarge, m7i.large, m7i.xlarge); use an allowed type or add a pattern to instance_types",
	}}
}

test_instance_types_small_instance_passes_and_prod_allows_anything if {
	changes := [
		instance_types_test_rc("aws_instance.small", {"instance_type": "t3.micro"}),
		instance_types_test_rc("aws_instance.big", {"instance_type": "m5.4xlarge", "tags_all": {"env": "prod"}}),
	]
	denied := deny_instance_type with input.resource_changes as changes
	count(denied) == 0
}

test_instance_types_project_env_wins_over_the_tag if {
	changes := [instance_types_test_rc("aws_instance.big", {"instance_type": "c5.9xlarge", "tags_all": {"env": "prod"}})]
	olympus := {"project": {"name": "app", "dir": "infra/aws/envs/staging", "workspace": "default", "env": "staging"}}
	denied := deny_instance_type with input.resource_changes as changes with data.olympus as olympus
	[m.address | some m in denied] == ["aws_instance.big"]
}

test_instance_types_launch_templates_node_groups_and_databases_are_checked if {
	changes := [
		instance_types_test_rc("aws_launch_template.lt", {"instance_type": "c5.large"}),
		instance_types_test_rc("aws_launch_template.unset", {"instance_type": null}),
		instance_types_test_rc("aws_eks_node_group.ng", {"instance_types": ["t3.large", "r5.2xlarge"]}),
		instance_types_test_rc("aws_db_instance.db", {"instance_class": "db.r5.large"}),
		instance_types_test_rc("aws_db_instance.small", {"instance_class": "db.t3.micro"}),
	]
	denied := deny_instance_type with input.resource_changes as changes
	{m.address | some m in denied} == {"aws_launch_template.lt", "aws_eks_node_group.ng", "aws_db_instance.db"}
	some m in denied
	m.address == "aws_eks_node_group.ng"
	contains(m.msg, "instance_types r5.2xlarge")
}

test_instance_types_parameters_replace_the_patterns if {
	changes := [
		instance_types_test_rc("aws_instance.a", {"instance_type": "c5.large"}),
		instance_types_test_rc("aws_instance.b", {"instance_type": "t3.micro"}),
		object.union(instance_types_test_rc("google_compute_instance.vm", {"machine_type": "zones/europe-west1-b/machineTypes/e2-small"}), {"provider_name": "registry.terraform.io/hashicorp/google"}),
	]
	olympus := {"parameters": {"instance_types": {"*": ["c5.*", "e2-*"]}}}
	denied := deny_instance_type with input.resource_changes as changes with data.olympus as olympus
	{m.address | some m in denied} == {"aws_instance.b"}
}

test_instance_types_env_without_patterns_and_no_star_checks_nothing if {
	changes := [instance_types_test_rc("aws_instance.a", {"instance_type": "x2iedn.32xlarge"})]
	olympus := {"parameters": {"instance_types": {"prod": ["m5.*"]}}}
	denied := deny_instance_type with input.resource_changes as changes with data.olympus as olympus
	count(denied) == 0
}

test_instance_types_unknown_type_is_not_reported if {
	change := object.union(instance_types_test_rc("aws_instance.a", {}), {"change": {"after_unknown": {"instance_type": true}}})
	changes := [change]
	denied := deny_instance_type with input.resource_changes as changes
	count(denied) == 0
}
