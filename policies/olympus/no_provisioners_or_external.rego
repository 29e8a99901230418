# No provisioners and no `external` data source: both run arbitrary commands on the machine that plans or applies
# (Olympus's runner, with its credentials), outside anything the plan shows.
package main

import rego.v1

no_provisioners_or_external_types := {"local-exec", "remote-exec"}

deny_provisioner contains msg if {
	some resource in olympus_config_resources
	some provisioner in object.get(resource.block, "provisioners", [])
	provisioner.type in no_provisioners_or_external_types
	msg := {
		"msg": concat("", [resource.address, " has a ", provisioner.type, " provisioner, which runs commands outside the plan on the machine that applies it; do the work with a resource of a provider, or outside Terraform"]),
		"address": resource.address,
	}
}

# The external data source runs its program during every plan, before any review.
deny_provisioner contains msg if {
	some resource in olympus_config_resources
	resource.block.mode == "data"
	resource.block.type == "external"
	msg := {
		"msg": concat("", [resource.address, " is an external data source, which runs a program on the machine that plans; read the value with a provider's data source or pass it in as a variable"]),
		"address": resource.address,
	}
}
