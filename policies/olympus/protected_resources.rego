# Protected resources: no delete, replace or forget of a resource tagged protected, or of one that had
# lifecycle { prevent_destroy = true } in the base branch (Terraform misses it when the whole block is deleted).
package main

import rego.v1

protected_resources_tag := olympus_param("protected_tag", "protected")

protected_resources_listed := {address | some address in object.get(olympus_data, "protected", [])}

deny_protected contains msg if {
	some rc in olympus_ending_changes
	protected_resources_is_true(object.get(olympus_before_tags(rc), protected_resources_tag, ""))
	msg := {
		"msg": concat("", [rc.address, " is tagged ", protected_resources_tag, " = true and this plan would ", protected_resources_verb(rc), " it; remove the tag in a reviewed change of its own first if it really must go"]),
		"address": rc.address,
	}
}

deny_protected contains msg if {
	some rc in olympus_ending_changes
	protected_resources_is_listed(rc.address)
	msg := {
		"msg": concat("", [rc.address, " had lifecycle prevent_destroy in the base branch and this plan would ", protected_resources_verb(rc), " it; restore the resource's block, or drop prevent_destroy in a reviewed change of its own first"]),
		"address": rc.address,
	}
}

protected_resources_is_true(value) if {
	is_string(value)
	lower(value) == "true"
}

protected_resources_is_true(value) if value == true

# Listed as in the configuration (no instance keys) or exactly.
protected_resources_is_listed(address) if address in protected_resources_listed

protected_resources_is_listed(address) if olympus_config_address(address) in protected_resources_listed

protected_resources_verb(rc) := "forget" if {
	"forget" in olympus_actions(rc)
} else := "replace" if {
	"create" in olympus_actions(rc)
} else := "delete"
