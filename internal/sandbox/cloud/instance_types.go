package cloud

// instanceTypes are the simulated types. vCPU and memory are AWS's figures;
// max pods is what the EKS VPC CNI allows (eni-max-pods.txt), which is what
// Bottlerocket would compute for the type.
var instanceTypes = func() map[string]InstanceTypeInfo {
	m := map[string]InstanceTypeInfo{}
	add := func(name string, vcpu int, memGiB int64, maxPods int, arch string, gpus int) {
		m[name] = InstanceTypeInfo{Name: name, VCPU: vcpu, MemoryMiB: memGiB * 1024, MaxPods: maxPods, Architecture: arch, GPUs: gpus}
	}
	// General purpose, compute and memory optimised share ENI limits by size.
	for _, fam := range []struct {
		name  string
		memGB int64 // per vCPU
		arch  string
	}{{"m5", 4, "x86_64"}, {"m6i", 4, "x86_64"}, {"c6i", 2, "x86_64"}, {"r6i", 8, "x86_64"}, {"m6g", 4, "arm64"}, {"c7g", 2, "arm64"}} {
		add(fam.name+".large", 2, 2*fam.memGB, 29, fam.arch, 0)
		add(fam.name+".xlarge", 4, 4*fam.memGB, 58, fam.arch, 0)
		add(fam.name+".2xlarge", 8, 8*fam.memGB, 58, fam.arch, 0)
		add(fam.name+".4xlarge", 16, 16*fam.memGB, 234, fam.arch, 0)
	}
	add("t3.micro", 2, 1, 4, "x86_64", 0)
	add("t3.small", 2, 2, 11, "x86_64", 0)
	add("t3.medium", 2, 4, 17, "x86_64", 0)
	add("t3.large", 2, 8, 35, "x86_64", 0)
	add("t3.xlarge", 4, 16, 58, "x86_64", 0)
	add("t3.2xlarge", 8, 32, 58, "x86_64", 0)
	add("g5.xlarge", 4, 16, 58, "x86_64", 1)
	add("g5.2xlarge", 8, 32, 58, "x86_64", 1)
	add("g5.4xlarge", 16, 64, 234, "x86_64", 1)
	add("g5.12xlarge", 48, 192, 737, "x86_64", 4)
	return m
}()
