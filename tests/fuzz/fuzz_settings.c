/*
 * libFuzzer target for the settings file: the whole input is the file (up to
 * a NUL, as settings_parse takes a string), parsed over the defaults; then
 * every action's key is named and every bound key looked up, as the help
 * screen and the key dispatch do.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "settings.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s;
	char *text, name[32];
	int a, i;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	settings_defaults(&s);
	settings_parse(&s, "fuzz.conf", text);
	for (a = 0; a < action_count(); a++) {
		settings_key_for(&s, a, name, sizeof name);
		settings_keys_for(&s, a, name, sizeof name);
	}
	for (i = 0; i < s.nbindings; i++) {
		settings_keyname(s.bindings[i].key, name, sizeof name);
		if (settings_keyparse(name) != s.bindings[i].key)
			abort();	/* a bound key's name must read back as it */
		settings_action(&s, s.bindings[i].key);
		settings_action_prefixed(&s, s.bindings[i].key);
	}
	settings_keyname(s.prefix, name, sizeof name);
	settings_free(&s);
	free(text);
	return 0;
}
