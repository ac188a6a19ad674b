package bottlerocket

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stratos-sh/terraform-provider-stratos/internal/bottlerocket/internal/docsettings"
)

// docErrata maps a documented path that is a slip of the documentation to
// the real setting.
var docErrata = map[string]string{
	// 1.15.x documents net-admin with name_override "capabilities_net-admin";
	// every other capability is capabilities.<name>.
	"settings.oci-defaults.capabilities_net-admin": "settings.oci-defaults.capabilities.net-admin",
}

// resolveSetting walks the model along a documented path; <placeholder>
// parts stand for a user-chosen map key. It returns the setting's schema
// and the latest release recorded along the path ("" if none).
func resolveSetting(path string) (s *schema, since string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(path, "settings."), ".")
	s = model
	for i := 0; i < len(parts); i++ {
		part := parts[i]
		switch s.kind {
		case kindTable:
			if name, ok := s.aliases[part]; ok {
				part = name
			}
			f, ok := s.fields[part]
			if !ok {
				return nil, "", false
			}
			if f.since != "" && (since == "" || mustRelease(since).Before(mustRelease(f.since))) {
				since = f.since
			}
			s = f.schema
		case kindMap:
			if s.keyEnum != nil && !contains(s.keyEnum, part) {
				return nil, "", false
			}
			if ks := s.keySince[part]; ks != "" {
				since = ks
			}
			s = s.elem
		case kindCustom, kindAny:
			// Checked as a whole (mirrors, node-taints, device-list-strategy).
			return s, since, true
		default:
			return nil, "", false
		}
	}
	return s, since, true
}

// TestModelCoverage fails when a setting documented for the newest
// Bottlerocket release is missing from the model, or when the model records
// a release later than the one whose documentation first describes it. It
// prints the families and settings of that release and what the model
// lacks (make bottlerocket-coverage).
func TestModelCoverage(t *testing.T) {
	docs, err := docsettings.Load("testdata/bottlerocket-docs/settings")
	if err != nil {
		t.Fatal(err)
	}
	type family struct {
		settings     int
		notForAWSK8s int
		lacking      []string
	}
	families := map[string]*family{}
	for _, s := range docs.Settings {
		f := families[s.Family]
		if f == nil {
			f = &family{}
			families[s.Family] = f
		}
		f.settings++
		if why, ok := docsettings.NotOnAWSK8s[s.Family]; ok {
			if len(f.lacking) == 0 {
				f.lacking = append(f.lacking, "settings."+s.Family+".* ("+why+")")
			}
			f.notForAWSK8s++
			continue
		}
		name := s.FullName()
		if real, ok := docErrata[name]; ok {
			name = real
		}
		_, since, ok := resolveSetting(name)
		if !ok {
			f.lacking = append(f.lacking, name)
			t.Errorf("%s is documented for Bottlerocket %s (since %s) but missing from the model", name, docs.Release, s.Since)
			continue
		}
		documented, err := docsettings.ParseRelease(s.Since)
		if err != nil {
			t.Fatal(err)
		}
		if since != "" {
			r := mustRelease(since)
			if documented.Less(docsettings.Release{Major: r.Major, Minor: r.Minor}) {
				t.Errorf("%s: the model says it came in %s, but the %s documentation already describes it", name, since, s.Since)
			}
		} else if (docsettings.Release{Major: 1, Minor: 15}).Less(documented) {
			t.Errorf("%s: first documented in %s, but the model records no release for it", name, s.Since)
		}
	}
	var names []string
	for n := range families {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "Bottlerocket %s settings documentation: %d families, %d settings\n", docs.Release, len(names), len(docs.Settings))
	for _, n := range names {
		f := families[n]
		fmt.Fprintf(&b, "  %-28s %3d documented, %3d modelled", n, f.settings, f.settings-len(f.lacking)-max(f.notForAWSK8s-1, 0))
		for _, l := range f.lacking {
			fmt.Fprintf(&b, "\n      lacking: %s", l)
		}
		b.WriteString("\n")
	}
	t.Log("\n" + b.String())
}

// literalValueRE matches a documented accepted value that is one literal:
// "`soci`", "`overlayfs` (default)", "`-1` for unbounded",
// "`none` : disables …"; prose such as "a positive integer" does not match.
var literalValueRE = regexp.MustCompile("(?s)^`([^`]+)`(?: \\(default\\)| for .*| : .*)?$")

// tomlLiteral writes a documented literal as a TOML value: booleans and
// integers as themselves, a quoted string as written, a bare word quoted.
func tomlLiteral(lit string) string {
	if lit == "true" || lit == "false" || strings.HasPrefix(lit, `"`) {
		return lit
	}
	if _, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return lit
	}
	return strconv.Quote(lit)
}

// TestDocumentedAcceptedValues: every literal a setting's documentation
// lists among its accepted values (enum values such as snapshotter "soci",
// device-id-strategy "uuid", "-1" for unbounded) validates with strict =
// true on the newest variant, with no AMI release known and on the release
// whose documentation first lists the value.
func TestDocumentedAcceptedValues(t *testing.T) {
	docs, err := docsettings.Load("testdata/bottlerocket-docs/settings")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, s := range docs.Settings {
		if _, ok := docsettings.NotOnAWSK8s[s.Family]; ok {
			continue
		}
		name := s.FullName()
		if real, ok := docErrata[name]; ok {
			name = real
		}
		parts := strings.Split(strings.TrimPrefix(name, "settings."), ".")
		for i, p := range parts {
			if strings.HasPrefix(p, "<") {
				parts[i] = "example"
			}
		}
		setting := "settings." + strings.Join(parts, ".")
		sch, _, ok := resolveSetting(name)
		if !ok {
			continue // TestModelCoverage reports it
		}
		for _, accepted := range s.AcceptedValues {
			m := literalValueRE.FindStringSubmatch(accepted)
			if m == nil {
				continue
			}
			value := tomlLiteral(m[1])
			if sch.kind == kindList {
				value = "[" + value + "]" // the documented value is one element
			}
			last := len(parts) - 1
			doc := fmt.Sprintf("[settings.%s]\n%s = %s\n", strings.Join(parts[:last], "."), parts[last], value)
			if last == 0 {
				doc = fmt.Sprintf("[settings]\n%s = %s\n", parts[0], value)
			}
			checked++
			documented := strings.TrimSuffix(s.AcceptedSince[accepted], ".x") + ".0"
			t.Run(setting+"="+m[1], func(t *testing.T) {
				for _, release := range []string{"", documented} {
					_, problems := Render(Input{CustomUserData: []string{doc}, Variant: newestVariant(doc), Strict: true, BottlerocketRelease: release})
					for _, p := range problems {
						// Other fields an entry requires (a bootstrap command's
						// commands) are not what this case is about.
						if p.Setting == setting {
							t.Errorf("documented accepted value refused on release %q: %s: %s\n%s", release, p.Summary, p.Detail, doc)
						}
					}
				}
			})
		}
	}
	if checked < 100 {
		t.Fatalf("only %d documented accepted values checked; the documentation snapshot or the pattern changed", checked)
	}
	t.Logf("%d documented accepted values validated", checked)
}

// TestModelReleaseIsDocumented: the release the docs and the node class's
// "newer than the model" rule name is the newest release of the committed
// documentation snapshot, so refreshing the snapshot moves it.
func TestModelReleaseIsDocumented(t *testing.T) {
	docs, err := docsettings.Load("testdata/bottlerocket-docs/settings")
	if err != nil {
		t.Fatal(err)
	}
	r := mustRelease(ModelRelease)
	if (docsettings.Release{Major: r.Major, Minor: r.Minor}) != docs.Release {
		t.Errorf("ModelRelease is %s, but the documentation snapshot's newest release is %s", ModelRelease, docs.Release)
	}
}
