package docsettings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSnapshot lays out version folders of family files as in
// bottlerocket-project-website data/settings.
func writeSnapshot(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func find(t *testing.T, d Docs, full string) Setting {
	t.Helper()
	for _, s := range d.Settings {
		if s.FullName() == full {
			return s
		}
	}
	t.Fatalf("%s not loaded; have %v", full, d.Settings)
	return Setting{}
}

// TestLoadMergesVersions: the website's merge rule (merged-settings.html,
// _merge-docs.html) applied to a small snapshot.
func TestLoadMergesVersions(t *testing.T) {
	dir := writeSnapshot(t, map[string]string{
		"1.14.x/motd.toml": `top_level = true
[[docs.ref]]
description = "message of the day"
[[docs.ref.example]]
value = "\"hello\""
`,
		"1.14.x/kernel.toml": `[[docs.ref.lockdown]]
description = "old text"
accepted_values = ["` + "`none`" + `"]
[[docs.ref.lockdown.example]]
value = "\"none\""

[[docs.ref.sysctl]]
description = "kept from the older folder"
[[docs.ref.sysctl.example]]
direct_toml = "[settings.kernel.sysctl]\n\"vm.max_map_count\" = \"262144\"\n"

[[docs.ref.capabilities.net-admin]]
description = "a stray table the website skips"
`,
		"1.16.x/kernel.toml": `[[docs.ref.lockdown]]
description = "new text"
accepted_values = ["` + "`none`" + `", "` + "`integrity`" + `"]
[[docs.ref.lockdown.example]]
value = "\"integrity\""

[[docs.ref.modules]]
name_override = "modules.<name>"
[[docs.ref.modules.example]]
multiline = [{ allowed = "false" }]
[[docs.ref.modules.example]]
direct_shell = "apiclient set settings.kernel.modules.sctp.allowed=false"

[[docs.tag.topic]]
heading = "A topic"
example = [{ type = "toml", tab = "TOML", source = "[settings.kernel]\nlockdown = \"none\"\n" },
           { type = "shell", tab = "Shell", source = "apiclient set settings.kernel.lockdown=none" }]
`,
	})
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Release.String(); got != "1.16.x" {
		t.Errorf("release %s, want 1.16.x", got)
	}
	if len(d.Settings) != 4 {
		t.Errorf("%d settings, want 4 (motd, lockdown, sysctl, modules): %v", len(d.Settings), d.Settings)
	}

	motd := find(t, d, "settings.motd")
	if len(motd.Examples) != 1 || motd.Examples[0].TOML != "[settings]\nmotd = \"hello\"\n" {
		t.Errorf("top-level motd examples %+v", motd.Examples)
	}
	lockdown := find(t, d, "settings.kernel.lockdown")
	if lockdown.Since != "1.14.x" || len(lockdown.Examples) != 1 || !strings.Contains(lockdown.Examples[0].TOML, `"integrity"`) {
		t.Errorf("a later folder's entry replaces the earlier one, keeping the first folder as since: %+v", lockdown)
	}
	if got := lockdown.AcceptedSince; len(lockdown.AcceptedValues) != 2 || got["`none`"] != "1.14.x" || got["`integrity`"] != "1.16.x" {
		t.Errorf("each accepted value dates from the first folder listing it: %v %v", lockdown.AcceptedValues, got)
	}
	if sysctl := find(t, d, "settings.kernel.sysctl"); len(sysctl.Examples) != 1 || sysctl.Since != "1.14.x" {
		t.Errorf("an entry only an older folder documents stays in the newest reference: %+v", sysctl)
	}
	modules := find(t, d, "settings.kernel.modules.<name>")
	if len(modules.Examples) != 2 || modules.Examples[0].TOML != "[settings.kernel.modules.example]\nallowed = false\n" || modules.Examples[1].Form != "direct_shell" {
		t.Errorf("modules examples %+v", modules.Examples)
	}
	if len(d.Topics) != 1 || len(d.Topics[0].Examples) != 2 || d.Topics[0].Examples[1].Form != "topic_shell" {
		t.Errorf("topic examples, the shell tab counted without TOML: %+v", d.Topics)
	}
}

// TestLoadRefusesSecondEntry: the website renders every table of a
// docs.ref array; the loader refuses what it would otherwise drop.
func TestLoadRefusesSecondEntry(t *testing.T) {
	dir := writeSnapshot(t, map[string]string{
		"1.14.x/kernel.toml": `[[docs.ref.lockdown]]
description = "one"
[[docs.ref.lockdown]]
description = "two"
`,
	})
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), "docs.ref.lockdown has 2 entries") {
		t.Fatalf("err = %v, want docs.ref.lockdown has 2 entries", err)
	}
}
