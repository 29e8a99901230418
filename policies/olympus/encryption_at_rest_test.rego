# Tests of encryption_at_rest: S3 buckets with and without an encryption configuration, EBS, RDS, EC2, DynamoDB.
package main

import rego.v1

encryption_at_rest_test_rc(address, type, after) := {
	"address": address,
	"mode": "managed",
	"type": type,
	"name": split(address, ".")[count(split(address, ".")) - 1],
	"provider_name": "registry.terraform.io/hashicorp/aws",
	"change": {"actions": ["create"], "before": null, "after": after, "after_unknown": {}},
}

encryption_at_rest_test_sse_config(bucket_ref) := {"root_module": {"resources": [
	{"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs", "expressions": {}},
	{
		"address": "aws_s3_bucket_server_side_encryption_configuration.logs",
		"mode": "managed",
		"type": "aws_s3_bucket_server_side_encryption_configuration",
		"name": "logs",
		"expressions": {"bucket": {"references": [concat("", [bucket_ref, ".id"]), bucket_ref]}},
	},
]}}

test_encryption_at_rest_bucket_without_encryption_is_denied if {
	changes := [encryption_at_rest_test_rc("aws_s3_bucket.logs", "aws_s3_bucket", {"bucket": "logs", "server_side_encryption_configuration": []})]
	denied := deny_unencrypted with input.resource_changes as changes
	[m.address | some m in denied] == ["aws_s3_bucket.logs"]
}

test_encryption_at_rest_bucket_with_inline_encryption_passes if {
	sse := [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256", "kms_master_key_id": ""}]}]}]
	changes := [encryption_at_rest_test_rc("aws_s3_bucket.logs", "aws_s3_bucket", {"bucket": "logs", "server_side_encryption_configuration": sse})]
	denied := deny_unencrypted with input.resource_changes as changes
	count(denied) == 0
}

test_encryption_at_rest_bucket_with_a_referring_sse_resource_passes if {
	changes := [encryption_at_rest_test_rc("aws_s3_bucket.logs", "aws_s3_bucket", {"server_side_encryption_configuration": []})]
	configuration := encryption_at_rest_test_sse_config("aws_s3_bucket.logs")
	denied := deny_unencrypted with input.resource_changes as changes with input.configuration as configuration
	count(denied) == 0
}

test_encryption_at_rest_sse_resource_of_another_bucket_does_not_count if {
	changes := [encryption_at_rest_test_rc("aws_s3_bucket.logs", "aws_s3_bucket", {"server_side_encryption_configuration": []})]
	configuration := encryption_at_rest_test_sse_config("aws_s3_bucket.logs2")
	denied := deny_unencrypted with input.resource_changes as changes with input.configuration as configuration
	count(denied) == 1
}

test_encryption_at_rest_sse_resource_with_the_same_bucket_name_counts if {
	changes := [
		encryption_at_rest_test_rc("aws_s3_bucket.logs", "aws_s3_bucket", {"bucket": "acme-logs"}),
		encryption_at_rest_test_rc("aws_s3_bucket_server_side_encryption_configuration.x", "aws_s3_bucket_server_side_encryption_configuration", {"bucket": "acme-logs"}),
	]
	denied := deny_unencrypted with input.resource_changes as changes
	count(denied) == 0
}

test_encryption_at_rest_unencrypted_volume_database_and_cluster_are_denied if {
	changes := [
		encryption_at_rest_test_rc("aws_ebs_volume.data", "aws_ebs_volume", {"encrypted": false}),
		encryption_at_rest_test_rc("aws_db_instance.main", "aws_db_instance", {"storage_encrypted": false}),
		encryption_at_rest_test_rc("aws_rds_cluster.main", "aws_rds_cluster", {"storage_encrypted": false}),
	]
	denied := deny_unencrypted with input.resource_changes as changes
	{m.msg | some m in denied} == {
		"aws_ebs_volume.data is not encrypted at rest; set encrypted = true (encryption cannot be turned on later without a replacement)",
		"aws_db_instance.main is not encrypted at rest; set storage_encrypted = true (encryption cannot be turned on later without a replacement)",
		"aws_rds_cluster.main is not encrypted at rest; set storage_encrypted = true (encryption cannot be turned on later without a replacement)",
	}
}

test_encryption_at_rest_encrypted_or_unknown_volumes_pass if {
	changes := [
		encryption_at_rest_test_rc("aws_ebs_volume.data", "aws_ebs_volume", {"encrypted": true}),
		encryption_at_rest_test_rc("aws_ebs_volume.later", "aws_ebs_volume", {}),
		encryption_at_rest_test_rc("aws_db_instance.main", "aws_db_instance", {"storage_encrypted": true}),
	]
	denied := deny_unencrypted with input.resource_changes as changes
	count(denied) == 0
}

test_encryption_at_rest_instance_with_an_unencrypted_root_device_is_denied if {
	changes := [encryption_at_rest_test_rc("aws_instance.web", "aws_instance", {"root_block_device": [{"encrypted": false, "volume_size": 8}]})]
	denied := deny_unencrypted with input.resource_changes as changes
	[m.msg | some m in denied] == ["aws_instance.web has a root_block_device with encryption off; set encrypted = true in it"]
}

test_encryption_at_rest_instance_with_an_encrypted_or_default_root_device_passes if {
	changes := [
		encryption_at_rest_test_rc("aws_instance.web", "aws_instance", {"root_block_device": [{"encrypted": true}]}),
		encryption_at_rest_test_rc("aws_instance.other", "aws_instance", {"root_block_device": []}),
	]
	denied := deny_unencrypted with input.resource_changes as changes
	count(denied) == 0
}

test_encryption_at_rest_dynamodb_without_its_own_key_warns if {
	changes := [
		encryption_at_rest_test_rc("aws_dynamodb_table.a", "aws_dynamodb_table", {"server_side_encryption": []}),
		encryption_at_rest_test_rc("aws_dynamodb_table.b", "aws_dynamodb_table", {"server_side_encryption": [{"enabled": false}]}),
		encryption_at_rest_test_rc("aws_dynamodb_table.c", "aws_dynamodb_table", {"server_side_encryption": [{"enabled": true}]}),
	]
	warned := warn_unencrypted with input.resource_changes as changes
	denied := deny_unencrypted with input.resource_changes as changes
	{m.address | some m in warned} == {"aws_dynamodb_table.a", "aws_dynamodb_table.b"}
	count(denied) == 0
}
