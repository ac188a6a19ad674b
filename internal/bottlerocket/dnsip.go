package bottlerocket

import (
	"fmt"
	"net/netip"
)

// parseServiceCIDR checks the cluster's service CIDR. EKS accepts IPv4
// service CIDRs from /12 to /24; Bottlerocket derives the DNS address from
// the network address, so a CIDR with host bits set is refused rather than
// silently masked.
func parseServiceCIDR(cidr string) (netip.Prefix, *Problem) {
	src := fieldSource(FieldServiceCIDR)
	fail := func(detail string) (netip.Prefix, *Problem) {
		p := errorProblem(src, nil, "Invalid service CIDR", detail)
		return netip.Prefix{}, &p
	}
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil {
		return fail(fmt.Sprintf("service_cidr %q is not a CIDR such as \"172.20.0.0/16\" or \"fd00:10:96::/108\": %v.", cidr, err))
	}
	if prefix.Masked() != prefix {
		return fail(fmt.Sprintf("service_cidr %q has host bits set; did you mean %q?", cidr, prefix.Masked().String()))
	}
	if prefix.Addr().Is4() && (prefix.Bits() < 12 || prefix.Bits() > 24) {
		return fail(fmt.Sprintf("service_cidr %q is a /%d; an IPv4 service CIDR must be between /12 and /24 (EKS's limits).", cidr, prefix.Bits()))
	}
	return prefix, nil
}

// clusterDNSFromCIDR is the address EKS gives kube-dns: the network address
// plus 10 (172.20.0.0/16 → 172.20.0.10, fd00:10:96::/108 → fd00:10:96::a).
func clusterDNSFromCIDR(prefix netip.Prefix) netip.Addr {
	b := prefix.Addr().AsSlice()
	carry := 10
	for i := len(b) - 1; i >= 0 && carry > 0; i-- {
		sum := int(b[i]) + carry
		b[i] = byte(sum)
		carry = sum >> 8
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// checkDNSFamily enforces that the first cluster-dns-ip has the cluster's
// IP family: Bottlerocket (pluto) picks the node IP's family from it, so an
// IPv4 first address in an IPv6 cluster (or the reverse) gives the node an
// address pods cannot reach. Bottlerocket never sees service_cidr and
// boots either way, so this provider rule is a doubt (a warning with
// strict = false).
func checkDNSFamily(v *validator, tree map[string]any, prefix netip.Prefix) {
	val, ok := lookup(tree, clusterDNSIPPath)
	if !ok {
		return
	}
	list, ok := val.([]any)
	if !ok || len(list) == 0 {
		return
	}
	s, ok := list[0].(string)
	if !ok {
		return
	}
	first, msg := parseIP(s)
	if msg != "" {
		return
	}
	if first.Is6() == prefix.Addr().Is6() {
		return
	}
	family, want := "IPv4", "IPv6"
	if prefix.Addr().Is4() {
		family, want = "IPv6", "IPv4"
	}
	v.doubtful(clusterDNSIPPath, 0, fmt.Sprintf("the first cluster-dns-ip %s is %s but service_cidr %s is %s: Bottlerocket takes the node's IP family from the first cluster DNS address. Put an %s address first, such as %s.",
		s, family, prefix, want, want, clusterDNSFromCIDR(prefix)))
}
