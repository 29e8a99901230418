# Tests of no_public_buckets: ACLs, grants, public access blocks, bucket policies and GCS IAM.
package main

import rego.v1

no_public_buckets_test_rc(type, after) := {
	"address": concat("", [type, ".this"]),
	"mode": "managed",
	"type": type,
	"name": "this",
	"provider_name": "registry.terraform.io/hashicorp/aws",
	"change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}},
}

no_public_buckets_test_policy(principal, condition) := json.marshal({"Version": "2012-10-17", "Statement": [object.union(
	{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
	condition,
)]})

test_no_public_buckets_public_read_acl_is_denied if {
	changes := [no_public_buckets_test_rc("aws_s3_bucket", {"acl": "public-read", "bucket": "b"})]
	denied := deny_public_bucket with input.resource_changes as changes
	denied == {{
		"address": "aws_s3_bucket.this",
		"msg": "aws_s3_bucket.this uses the canned ACL public-read, which lets anyone read it; use \"private\" and grant access to named principals in a bucket policy",
	}}
}

test_no_public_buckets_every_acl_resource_type_is_checked if {
	changes := [
		no_public_buckets_test_rc("aws_s3_bucket_acl", {"acl": "public-read-write"}),
		no_public_buckets_test_rc("aws_s3_object", {"acl": "authenticated-read"}),
		no_public_buckets_test_rc("aws_s3_bucket_object", {"acl": "public-read"}),
	]
	denied := deny_public_bucket with input.resource_changes as changes
	{m.address | some m in denied} == {"aws_s3_bucket_acl.this", "aws_s3_object.this", "aws_s3_bucket_object.this"}
}

test_no_public_buckets_private_acl_passes if {
	changes := [no_public_buckets_test_rc("aws_s3_bucket", {"acl": "private"}), no_public_buckets_test_rc("aws_s3_object", {"acl": null})]
	denied := deny_public_bucket with input.resource_changes as changes
	count(denied) == 0
}

test_no_public_buckets_deleting_a_public_bucket_passes if {
	change := object.union(no_public_buckets_test_rc("aws_s3_bucket", null), {"change": {"actions": ["delete"], "before": {"acl": "public-read"}, "after": null}})
	changes := [change]
	denied := deny_public_bucket with input.resource_changes as changes
	count(denied) == 0
}

test_no_public_buckets_grant_to_all_users_is_denied if {
	changes := [no_public_buckets_test_rc("aws_s3_bucket", {"acl": null, "grant": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permissions": ["READ"]}]})]
	denied := deny_public_bucket with input.resource_changes as changes
	count(denied) == 1
}

test_no_public_buckets_acl_resource_grant_to_authenticated_users_is_denied if {
	grantee := {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}
	changes := [no_public_buckets_test_rc("aws_s3_bucket_acl", {"access_control_policy": [{"grant": [{"grantee": [grantee], "permission": "READ"}]}]})]
	denied := deny_public_bucket with input.resource_changes as changes
	count(denied) == 1
}

test_no_public_buckets_grant_to_an_account_passes if {
	changes := [no_public_buckets_test_rc("aws_s3_bucket", {"grant": [{"type": "CanonicalUser", "id": "abc", "uri": ""}]})]
	denied := deny_public_bucket with input.resource_changes as changes
	count(denied) == 0
}

test_no_public_buckets_public_access_block_with_flags_off_is_denied if {
	after := {"block_public_acls": true, "block_public_policy": false, "ignore_public_acls": true, "restrict_public_buckets": false}
	changes := [no_public_buckets_test_rc("aws_s3_bucket_public_access_block", after)]
	denied := deny_public_bucket with input.resource_changes as changes
	[m.msg | some m in denied] == ["aws_s3_bucket_public_access_block.this leaves block_public_policy, restrict_public_buckets off, so a public ACL or policy would take effect; set all four flags to true"]
}

test_no_public_buckets_public_access_block_all_on_passes if {
	after := {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}
	changes := [no_public_buckets_test_rc("aws_s3_bucket_public_access_block", after)]
	denied := deny_public_bucket with input.resource_changes as changes
	count(denied) == 0
}

test_no_public_buckets_policy_allowing_everyone_is_denied if {
	changes := [
		no_public_buckets_test_rc("aws_s3_bucket_policy", {"policy": no_public_buckets_test_policy("*", {})}),
		object.union(no_public_buckets_test_rc("aws_s3_bucket_policy", {"policy": no_public_buckets_test_policy({"AWS": ["*"]}, {})}), {"address": "aws_s3_bucket_policy.other"}),
	]
	denied := deny_public_bucket with input.resource_changes as changes
	{m.address | some m in denied} == {"aws_s3_bucket_policy.this", "aws_s3_bucket_policy.other"}
}

test_no_public_buckets_policy_allowing_everyone_under_a_condition_warns if {
	condition := {"Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}
	changes := [no_public_buckets_test_rc("aws_s3_bucket_policy", {"policy": no_public_buckets_test_policy("*", condition)})]
	denied := deny_public_bucket with input.resource_changes as changes
	warned := warn_public_bucket with input.resource_changes as changes
	count(denied) == 0
	count(warned) == 1
}

test_no_public_buckets_policy_for_a_role_or_unknown_or_invalid_passes if {
	changes := [
		no_public_buckets_test_rc("aws_s3_bucket_policy", {"policy": no_public_buckets_test_policy({"AWS": "arn:aws:iam::123456789012:role/r"}, {})}),
		no_public_buckets_test_rc("aws_s3_bucket_policy", {"bucket": "b"}),
		no_public_buckets_test_rc("aws_s3_bucket_policy", {"policy": "{not json"}),
		no_public_buckets_test_rc("aws_s3_bucket_policy", {"policy": "[1]"}),
		no_public_buckets_test_rc("aws_s3_bucket_policy", {"policy": "{\"Statement\": \"x\"}"}),
		no_public_buckets_test_rc("google_storage_bucket_iam_policy", {"policy_data": "[]"}),
		no_public_buckets_test_rc("google_storage_bucket_iam_binding", {"members": null}),
	]
	denied := deny_public_bucket with input.resource_changes as changes
	count(denied) == 0
}

test_no_public_buckets_gcs_all_users_is_denied if {
	member := object.union(no_public_buckets_test_rc("google_storage_bucket_iam_member", {"member": "allUsers", "role": "roles/storage.objectViewer"}), {"provider_name": "registry.terraform.io/hashicorp/google"})
	binding := object.union(no_public_buckets_test_rc("google_storage_bucket_iam_binding", {"members": ["user:a@example.com", "allAuthenticatedUsers"]}), {"provider_name": "registry.terraform.io/hashicorp/google"})
	policy := object.union(no_public_buckets_test_rc("google_storage_bucket_iam_policy", {"policy_data": json.marshal({"bindings": [{"role": "roles/storage.objectViewer", "members": ["allUsers"]}]})}), {"provider_name": "registry.terraform.io/hashicorp/google"})
	changes := [member, binding, policy]
	denied := deny_public_bucket with input.resource_changes as changes
	{m.address | some m in denied} == {"google_storage_bucket_iam_member.this", "google_storage_bucket_iam_binding.this", "google_storage_bucket_iam_policy.this"}
}

test_no_public_buckets_gcs_named_member_passes if {
	changes := [no_public_buckets_test_rc("google_storage_bucket_iam_member", {"member": "group:team@example.com"})]
	denied := deny_public_bucket with input.resource_changes as changes
	count(denied) == 0
}

test_no_public_buckets_gcs_bucket_without_enforced_prevention_warns if {
	changes := [
		no_public_buckets_test_rc("google_storage_bucket", {"public_access_prevention": "inherited"}),
		object.union(no_public_buckets_test_rc("google_storage_bucket", {"public_access_prevention": "enforced"}), {"address": "google_storage_bucket.enforced"}),
	]
	warned := warn_public_bucket with input.resource_changes as changes
	denied := deny_public_bucket with input.resource_changes as changes
	{m.address | some m in warned} == {"google_storage_bucket.this"}
	count(denied) == 0
}
