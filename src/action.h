/*
 * Dashboard actions. One table in action.c (name, default keys, help line, key-bar
 * label, needs a VM, asks to confirm, function) drives the bindings (settings.c), the
 * ? help, the key bar and the dispatch. An action is its index in that table; the
 * settings file names it.
 */
#ifndef QT_ACTION_H
#define QT_ACTION_H

#include <stdbool.h>

#define ACTION_NONE (-1)	/* no action: an unbound key, or "bind KEY none" */

struct ui;
struct vmwatch;

int action_count(void);
/* The action called name, or ACTION_NONE. */
int action_find(const char *name);
const char *action_name(int a);
const char *action_help(int a);
/* The key bar's word for it, or NULL when it is not in the key bar. */
const char *action_label(int a);
/* Default keys as settings key names separated by spaces ("F5 R"). */
const char *action_keys(int a);
/* The default keys work after the prefix key only (in a terminal pane). */
bool action_after_prefix(int a);

/* Run a on vm; NULL: on the VM its row names (the selection, or the focused pane's).
 * Actions that need a VM and have none say so; some ask first. */
void action_run(struct ui *ui, int a, struct vmwatch *vm);

#endif
