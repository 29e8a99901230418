# Instance types: EC2 instances, launch templates, EKS node groups, RDS instances and Google Compute instances use
# a type the environment allows (glob patterns per environment; "*" is the pattern list of any other environment).
package main

import rego.v1

instance_types_default := {
	"prod": ["*"],
	"*": ["t3.*", "t3a.*", "t4g.*", "m5.large", "m5.xlarge", "m6i.large", "m6i.xlarge", "m7i.large", "m7i.xlarge"],
}

instance_types_patterns := olympus_param("instance_types", instance_types_default)

instance_types_resource_types := {"aws_instance", "aws_launch_template", "aws_eks_node_group", "aws_db_instance", "google_compute_instance"}

deny_instance_type contains msg if {
	some rc in olympus_changes_of(instance_types_resource_types)
	olympus_creates_or_updates(rc)
	some [attribute, value] in instance_types_of(rc)
	env := olympus_env(rc)
	patterns := instance_types_for_env(env)
	not instance_types_matches(patterns, instance_types_comparable(rc, value))
	msg := {
		"msg": concat("", [rc.address, " uses the ", attribute, " ", value, ", which the environment ", env, " does not allow (", concat(", ", patterns), "); use an allowed type or add a pattern to instance_types"]),
		"address": rc.address,
	}
}

# An environment without patterns of its own uses "*"'s; with neither, nothing is checked.
instance_types_for_env(env) := patterns if {
	patterns := instance_types_patterns[env]
} else := instance_types_patterns["*"]

instance_types_of(rc) := [["instance_type", value] |
	value := olympus_after(rc).instance_type
	is_string(value)
] if rc.type in {"aws_instance", "aws_launch_template"}

instance_types_of(rc) := [["instance_types", value] |
	some value in olympus_blocks(olympus_after(rc), "instance_types")
	is_string(value)
] if rc.type == "aws_eks_node_group"

instance_types_of(rc) := [["instance_class", value] |
	value := olympus_after(rc).instance_class
	is_string(value)
] if rc.type == "aws_db_instance"

instance_types_of(rc) := [["machine_type", value] |
	value := olympus_after(rc).machine_type
	is_string(value)
] if rc.type == "google_compute_instance"

# RDS classes are EC2 types with "db." in front (db.t3.micro): the same patterns apply to the rest. A Google
# machine type may be a URL (zones/z/machineTypes/e2-small): its last part is the type.
instance_types_comparable(rc, value) := trim_prefix(value, "db.") if {
	rc.type == "aws_db_instance"
} else := parts[count(parts) - 1] if {
	parts := split(value, "/")
}

# No delimiters (null): with OPA's default ["."], "*" would not match "m5.large".
instance_types_matches(patterns, value) if {
	some pattern in patterns
	glob.match(pattern, null, value)
}
