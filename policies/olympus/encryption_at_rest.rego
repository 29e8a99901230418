# Encryption at rest: S3 buckets with no server-side encryption configuration, EBS volumes, RDS instances and
# clusters, and EC2 block devices with encryption turned off; DynamoDB tables without their own key (a warning).
package main

import rego.v1

deny_unencrypted contains msg if {
	some rc in olympus_changes_of({"aws_s3_bucket"})
	olympus_creates_or_updates(rc)
	count(olympus_blocks(olympus_after(rc), "server_side_encryption_configuration")) == 0
	not encryption_at_rest_bucket_has_sse_resource(rc)
	msg := {
		"msg": concat("", [rc.address, " has no server-side encryption configuration; add an aws_s3_bucket_server_side_encryption_configuration (or, on provider 3, a server_side_encryption_configuration block) for it"]),
		"address": rc.address,
	}
}

# A separate aws_s3_bucket_server_side_encryption_configuration counts for a bucket when, in the same module, its
# `bucket` argument refers to that bucket (aws_s3_bucket.<name>, .id or .bucket), or when both have the same known
# bucket name in the plan. Buckets passed in from another module are not followed.
encryption_at_rest_bucket_has_sse_resource(bucket) if {
	some resource in olympus_config_resources
	resource.block.type == "aws_s3_bucket_server_side_encryption_configuration"
	resource.block.mode == "managed"
	resource.prefix == encryption_at_rest_module_prefix(bucket)
	some ref in object.get(object.get(resource.block, "expressions", {}), "bucket", {}).references
	encryption_at_rest_refers_to(ref, concat("", ["aws_s3_bucket.", bucket.name]))
}

encryption_at_rest_bucket_has_sse_resource(bucket) if {
	name := olympus_after(bucket).bucket
	is_string(name)
	some rc in olympus_changes_of({"aws_s3_bucket_server_side_encryption_configuration"})
	not olympus_deletes(rc)
	olympus_after(rc).bucket == name
}

encryption_at_rest_module_prefix(rc) := prefix if {
	prefix := concat("", [olympus_config_address(rc.module_address), "."])
} else := ""

encryption_at_rest_refers_to(ref, target) if ref == target

encryption_at_rest_refers_to(ref, target) if startswith(ref, concat("", [target, "."]))

encryption_at_rest_refers_to(ref, target) if startswith(ref, concat("", [target, "["]))

encryption_at_rest_flags := {
	"aws_ebs_volume": "encrypted",
	"aws_db_instance": "storage_encrypted",
	"aws_rds_cluster": "storage_encrypted",
}

deny_unencrypted contains msg if {
	some rc in olympus_changes_of(object.keys(encryption_at_rest_flags))
	attribute := encryption_at_rest_flags[rc.type]
	olympus_creates_or_updates(rc)
	olympus_after(rc)[attribute] == false
	msg := {
		"msg": concat("", [rc.address, " is not encrypted at rest; set ", attribute, " = true (encryption cannot be turned on later without a replacement)"]),
		"address": rc.address,
	}
}

deny_unencrypted contains msg if {
	some rc in olympus_changes_of({"aws_instance"})
	olympus_creates_or_updates(rc)
	some block in ["root_block_device", "ebs_block_device"]
	some device in olympus_blocks(olympus_after(rc), block)
	object.get(device, "encrypted", null) == false
	msg := {
		"msg": concat("", [rc.address, " has a ", block, " with encryption off; set encrypted = true in it"]),
		"address": rc.address,
	}
}

# DynamoDB encrypts every table with an AWS-owned key anyway: a missing or disabled server_side_encryption only
# means no customer-managed key, hence a warning.
warn_unencrypted contains msg if {
	some rc in olympus_changes_of({"aws_dynamodb_table"})
	olympus_creates_or_updates(rc)
	not encryption_at_rest_dynamodb_sse(rc)
	msg := {
		"msg": concat("", [rc.address, " uses DynamoDB's AWS-owned key only; add server_side_encryption { enabled = true } to encrypt it with a KMS key you control"]),
		"address": rc.address,
	}
}

encryption_at_rest_dynamodb_sse(rc) if {
	some block in olympus_blocks(olympus_after(rc), "server_side_encryption")
	block.enabled == true
}
