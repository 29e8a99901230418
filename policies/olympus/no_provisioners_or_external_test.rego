# Tests of no_provisioners_or_external: provisioners at any module depth, the external data source.
package main

import rego.v1

no_provisioners_or_external_test_config := {"root_module": {
	"resources": [
		{"address": "terraform_data.hook", "mode": "managed", "type": "terraform_data", "name": "hook", "provisioners": [{"type": "local-exec", "expressions": {"command": {"constant_value": "echo secret"}}}]},
		{"address": "aws_s3_bucket.quiet", "mode": "managed", "type": "aws_s3_bucket", "name": "quiet"},
	],
	"module_calls": {"app": {"module": {"resources": [
		{"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web", "provisioners": [{"type": "remote-exec"}, {"type": "file"}]},
		{"address": "data.external.version", "mode": "data", "type": "external", "name": "version"},
	]}}},
}}

test_no_provisioners_or_external_local_and_remote_exec_and_external_are_denied if {
	configuration := no_provisioners_or_external_test_config
	denied := deny_provisioner with input.configuration as configuration
	{m.address | some m in denied} == {"terraform_data.hook", "module.app.aws_instance.web", "module.app.data.external.version"}
}

test_no_provisioners_or_external_message_names_the_type_never_the_command if {
	configuration := no_provisioners_or_external_test_config
	denied := deny_provisioner with input.configuration as configuration
	some m in denied
	m.address == "terraform_data.hook"
	m.msg == "terraform_data.hook has a local-exec provisioner, which runs commands outside the plan on the machine that applies it; do the work with a resource of a provider, or outside Terraform"
	every d in denied {
		not contains(d.msg, "secret")
	}
}

test_no_provisioners_or_external_file_provisioner_and_plain_resources_pass if {
	configuration := {"root_module": {"resources": [
		{"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web", "provisioners": [{"type": "file"}]},
		{"address": "data.aws_ami.ubuntu", "mode": "data", "type": "aws_ami", "name": "ubuntu"},
	]}}
	denied := deny_provisioner with input.configuration as configuration
	count(denied) == 0
}

test_no_provisioners_or_external_no_configuration_passes if {
	count(deny_provisioner) == 0
}
