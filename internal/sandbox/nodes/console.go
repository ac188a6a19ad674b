package nodes

import (
	"errors"
	"fmt"
	"strings"
)

// Console text follows what a Bottlerocket instance prints on its serial
// console (systemd unit status lines), so that what a user reads in the
// sandbox's GetConsoleOutput looks like what they would read on EC2.

func consoleKernel(inst instanceView) string {
	arch := "x86_64"
	if inst.arch == "arm64" {
		arch = "aarch64"
	}
	return fmt.Sprintf(`[    0.000000] Linux version 6.1.134 (builder@buildkitsandbox) (%s-bottlerocket-linux-gnu-gcc (Buildroot 2024.11.1) 11.3.0, GNU ld (GNU Binutils) 2.38) #1 SMP
[    0.000000] Command line: BOOT_IMAGE=(hd0,gpt2)/vmlinuz root=/dev/dm-0 rootwait ro console=tty0 console=ttyS0,115200n8 systemd.log_target=journal-or-kmsg
[    1.912844] systemd[1]: systemd 257.3 running in system mode
[    1.951203] systemd[1]: Hostname set to <%s>.
         Starting Bottlerocket userdata configuration system...
`, arch, inst.nodeName)
}

func consoleBooted(inst instanceView) string {
	return fmt.Sprintf(`[  OK  ] Finished Bottlerocket userdata configuration system.
[  OK  ] Reached target Preconfigured.
[  OK  ] Finished Generate network configuration.
[  OK  ] Finished Bottlerocket settings applier.
[  OK  ] Reached target Configured.
[  OK  ] Started containerd container runtime.
[  OK  ] Started Kubelet.
[  OK  ] Reached target Multi-User System.

%s
%s login: 
`, inst.osImage, inst.nodeName)
}

// consoleFailure renders why a node never joins.
func consoleFailure(inst instanceView, err error) string {
	var boot *bootError
	if errors.As(err, &boot) {
		return fmt.Sprintf(`[   12.402114] early-boot-config[1187]: %s
[FAILED] Failed to start Bottlerocket userdata configuration system.
See 'systemctl status early-boot-config.service' for details.
[DEPEND] Dependency failed for Preconfigured.
[DEPEND] Dependency failed for Configured.
[DEPEND] Dependency failed for Kubelet.
`, indentContinuation(boot.reason))
	}
	var kubelet *kubeletFailure
	if errors.As(err, &kubelet) {
		return consoleBooted(inst) + fmt.Sprintf("[   31.118409] kubelet[2201]: E1121 kubelet.go:111] %s\n", indentContinuation(kubelet.log))
	}
	return fmt.Sprintf("[FAILED] %v\n", err)
}

func indentContinuation(s string) string {
	return strings.ReplaceAll(s, "\n", "\n    ")
}
