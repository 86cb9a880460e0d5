/*
 * qemu-tui doctor [NAME] [--json]: what this host has for running VMs, each
 * problem with the command that fixes it. With NAME, what that VM needs, and
 * a non-zero exit when something blocks its start.
 */
#include <json-c/json.h>
#include <stdio.h>

#include "cmd.h"
#include "doctor.h"

/* Text, one line per check and a fix line under each problem; or one JSON array. */
static void
print_report(const struct doctor_report *r, bool json)
{
	struct json_object *all, *o;
	size_t i;

	if (!json) {
		for (i = 0; i < r->n; i++) {
			const struct doctor_check *c = &r->checks[i];

			printf("%-4s %-20s %s\n", doctor_level_word(c->level), c->name, c->detail);
			if (c->fix != NULL && c->level != DOCTOR_OK)
				printf("     %-20s fix: %s\n", "", c->fix);
		}
		return;
	}
	all = json_object_new_array();
	for (i = 0; i < r->n; i++) {
		const struct doctor_check *c = &r->checks[i];

		o = json_object_new_object();
		json_object_object_add(o, "check", json_object_new_string(c->name));
		json_object_object_add(o, "level",
		    json_object_new_string(doctor_level_word(c->level)));
		json_object_object_add(o, "detail", json_object_new_string(c->detail));
		if (c->fix != NULL)
			json_object_object_add(o, "fix", json_object_new_string(c->fix));
		json_object_array_add(all, o);
	}
	printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
	json_object_put(all);
}

static int
cmd_doctor_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct doctor_report r = { 0 };
	struct profile_list list;
	struct profile *p;
	const char *name = argc > 0 ? argv[0] : NULL;	/* the row takes one NAME at most */
	int fails;

	if (name == NULL)
		doctor_host(&r, NULL);
	else {
		if ((p = cmd_profile(ctx, name, &list, 1)) == NULL)
			return 1;
		doctor_vm(&r, p, NULL);
		profile_list_free(&list);
	}
	print_report(&r, ctx->opts.json);
	if (!ctx->opts.json && name != NULL)
		printf("%s: %s\n", name, r.fails ? "something blocks its start (see FAIL)" :
		    "nothing blocks its start");
	fails = r.fails;
	doctor_report_free(&r);
	return name != NULL && fails > 0 ? 1 : 0;
}

static const struct cmd_option doctor_options[] = {
	CMD_OPTION_JSON,
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_doctor_entry = {
	.name = "doctor", .args = "[NAME]", .min_args = 0, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = doctor_options,
	.help = "what this host has for VMs (or what NAME needs), each problem with its fix",
	.exec = cmd_doctor_exec
};
