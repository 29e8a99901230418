# No public storage: S3 buckets and objects readable by anyone (canned ACLs, grants to the global groups, bucket
# policies allowing Principal "*", public access blocks with a flag off) and GCS buckets granted to allUsers.
package main

import rego.v1

no_public_buckets_acls := {"public-read", "public-read-write", "authenticated-read"}

no_public_buckets_acl_types := {"aws_s3_bucket", "aws_s3_bucket_acl", "aws_s3_object", "aws_s3_bucket_object"}

no_public_buckets_groups := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

no_public_buckets_block_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

no_public_buckets_gcs_members := {"allUsers", "allAuthenticatedUsers"}

no_public_buckets_policy_types := {"aws_s3_bucket_policy", "aws_s3_bucket"}

deny_public_bucket contains msg if {
	some rc in olympus_changes_of(no_public_buckets_acl_types)
	olympus_creates_or_updates(rc)
	acl := olympus_after(rc).acl
	acl in no_public_buckets_acls
	msg := {
		"msg": concat("", [rc.address, " uses the canned ACL ", acl, ", which lets anyone read it; use \"private\" and grant access to named principals in a bucket policy"]),
		"address": rc.address,
	}
}

# A grant to the AllUsers or AuthenticatedUsers group: the `grant` blocks of aws_s3_bucket (provider 3) and the
# access_control_policy of aws_s3_bucket_acl.
deny_public_bucket contains msg if {
	some rc in olympus_changes_of({"aws_s3_bucket", "aws_s3_bucket_acl"})
	olympus_creates_or_updates(rc)
	some grantee in no_public_buckets_grantees(rc)
	object.get(grantee, "uri", "") in no_public_buckets_groups
	msg := {
		"msg": concat("", [rc.address, " grants access to a global group of all (authenticated) AWS users; grant it to named accounts or roles instead"]),
		"address": rc.address,
	}
}

no_public_buckets_grantees(rc) := olympus_blocks(olympus_after(rc), "grant") if rc.type == "aws_s3_bucket"

no_public_buckets_grantees(rc) := [grantee |
	some policy in olympus_blocks(olympus_after(rc), "access_control_policy")
	some grant in olympus_blocks(policy, "grant")
	some grantee in olympus_blocks(grant, "grantee")
] if rc.type == "aws_s3_bucket_acl"

deny_public_bucket contains msg if {
	some rc in olympus_changes_of({"aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"})
	olympus_creates_or_updates(rc)
	after := olympus_after(rc)
	off := [flag | some flag in no_public_buckets_block_flags; object.get(after, flag, false) == false]
	count(off) > 0
	msg := {
		"msg": concat("", [rc.address, " leaves ", olympus_sorted_list(off), " off, so a public ACL or policy would take effect; set all four flags to true"]),
		"address": rc.address,
	}
}

# A policy statement that allows everyone ("*") with no condition; one with a condition (a VPC endpoint, an
# organization) is only a warning, since a condition can narrow "*" to something private.
deny_public_bucket contains msg if {
	some rc in olympus_changes_of(no_public_buckets_policy_types)
	some statement in no_public_buckets_public_statements(rc)
	not statement.Condition
	msg := {
		"msg": concat("", [rc.address, " has a bucket policy statement allowing Principal \"*\", which makes the bucket public; name the principals that need access"]),
		"address": rc.address,
	}
}

warn_public_bucket contains msg if {
	some rc in olympus_changes_of(no_public_buckets_policy_types)
	some statement in no_public_buckets_public_statements(rc)
	statement.Condition
	msg := {
		"msg": concat("", [rc.address, " has a bucket policy statement allowing Principal \"*\" under a condition; check that the condition keeps the bucket private"]),
		"address": rc.address,
	}
}

no_public_buckets_public_statements(rc) := [statement |
	some statement in no_public_buckets_statements(rc)
	statement.Effect == "Allow"
	no_public_buckets_everyone(statement.Principal)
]

no_public_buckets_statements(rc) := statements if {
	rc.type in no_public_buckets_policy_types
	olympus_creates_or_updates(rc)
	policy := olympus_after(rc).policy
	is_string(policy)
	json.is_valid(policy)
	document := json.unmarshal(policy)
	is_object(document)
	statements := no_public_buckets_as_list(object.get(document, "Statement", []))
} else := []

no_public_buckets_as_list(value) := value if {
	is_array(value)
} else := [value]

no_public_buckets_everyone(principal) if principal == "*"

no_public_buckets_everyone(principal) if principal.AWS == "*"

no_public_buckets_everyone(principal) if {
	is_array(principal.AWS)
	"*" in principal.AWS
}

deny_public_bucket contains msg if {
	some type in olympus_types
	startswith(type, "google_storage_bucket_iam_")
	some rc in olympus_changes_of({type})
	olympus_creates_or_updates(rc)
	some member in no_public_buckets_gcs_members_of(rc)
	member in no_public_buckets_gcs_members
	msg := {
		"msg": concat("", [rc.address, " grants a role on the bucket to ", member, ", which makes it public; grant it to named users, groups or service accounts"]),
		"address": rc.address,
	}
}

no_public_buckets_gcs_members_of(rc) := members if {
	after := olympus_after(rc)
	members := array.concat(
		array.concat([m | m := after.member; is_string(m)], [m | is_array(after.members); some m in after.members]),
		no_public_buckets_gcs_policy_members(after),
	)
}

no_public_buckets_gcs_policy_members(after) := [member |
	is_string(after.policy_data)
	json.is_valid(after.policy_data)
	document := json.unmarshal(after.policy_data)
	is_array(document.bindings)
	some binding in document.bindings
	is_array(binding.members)
	some member in binding.members
]

warn_public_bucket contains msg if {
	some rc in olympus_changes_of({"google_storage_bucket"})
	olympus_creates_or_updates(rc)
	object.get(olympus_after(rc), "public_access_prevention", "") != "enforced"
	msg := {
		"msg": concat("", [rc.address, " does not enforce public access prevention, so an IAM grant could make it public; set public_access_prevention = \"enforced\""]),
		"address": rc.address,
	}
}
