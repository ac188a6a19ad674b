package bottlerocket

import "testing"

// Values only reachable with strict = false (unknown settings) still
// survive the render → parse → render cycle exactly.
func TestRender_RoundTripEdgeValues(t *testing.T) {
	for _, frag := range []string{
		"settings.kubernetes.x = -nan\n",
		"settings.kubernetes.x = [nan, -inf, inf, -0.0, 1e300, 5e-324, 0.1]\n",
		"settings.kubernetes.\"a\\u0000b\" = \"\\u0001\\u007f\\b\\f\\r\"\n",
		"settings.\"\" = 1\nsettings.\"with space\".\"dots.and/slash\" = true\n",
		"settings.kubernetes.x = [{}, { a = {} }]\n",
		"settings.kubernetes.x = 9223372036854775807\nsettings.kubernetes.y = -9223372036854775808\n",
		"settings.kubernetes.x = '''\nmulti\nline'''\n",
	} {
		in := Input{CustomUserData: []string{frag}}
		doc, problems := Render(in)
		if doc == nil {
			t.Errorf("%q refused: %v", frag, problems)
			continue
		}
		assertRoundTrip(t, in, doc)
	}
}
