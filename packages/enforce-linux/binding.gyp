# Native parts of @cordon/enforce-linux, both built from native/linux (Linux only; elsewhere the targets are empty):
#  - cordon_native: N-API addon that probes Landlock/seccomp and builds the seccomp-bpf program;
#  - cordon-exec: the helper that applies no_new_privs, capabilities, fd hygiene, Landlock and seccomp, then execve's
#    (with unix socket mediation it stays as the command's supervisor, see native/linux/unix_mediation.h).
# cordon-exec is linked statically (static-pie): no dynamic loader runs before it confines itself, so
# LD_PRELOAD/LD_LIBRARY_PATH/LD_AUDIT cannot inject code into it (ENV-05), and it runs in any mount namespace.
{
  "variables": {
    "cordon_shared_sources": [
      "native/linux/kernel_probe.cc",
      "native/linux/seccomp_program.cc",
      "native/linux/bpf_writer.cc",
      "native/linux/syscall_table.cc"
    ],
    "cordon_cflags": ["-Wall", "-Wextra", "-fstack-protector-strong", "-fvisibility=hidden", "-D_FORTIFY_SOURCE=2"]
  },
  "targets": [
    {
      "target_name": "cordon_native",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/linux/addon.cc", "<@(cordon_shared_sources)",
                      "native/linux/audit_addon.cc", "native/linux/audit_collector.cc", "native/linux/audit_marker.cc", "native/linux/audit_netlink.cc"],
          # No C++ exceptions: the node_addon_api target adds NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS (the current
          # name of NAPI_DISABLE_CPP_EXCEPTIONS, which would redefine it) and -fno-exceptions.
          "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api"],
          "defines": ["NAPI_VERSION=8"],
          "cflags": ["<@(cordon_cflags)"],
          "cflags_cc": ["-std=c++17"]
        }, {
          "type": "none"
        }]
      ]
    },
    {
      "target_name": "cordon-exec",
      "conditions": [
        ["OS=='linux'", {
          "type": "executable",
          "sources": [
            "native/linux/exec_main.cc",
            "native/linux/exec_spec.cc",
            "native/linux/failure.cc",
            "native/linux/fd_io.cc",
            "native/linux/fd_hygiene.cc",
            "native/linux/session.cc",
            "native/linux/privileges.cc",
            "native/linux/landlock_apply.cc",
            "native/linux/seccomp_apply.cc",
            "native/linux/self_check.cc",
            "native/linux/command_exec.cc",
            "native/linux/bridge.cc",
            "native/linux/unix_mediation.cc",
            "native/linux/unix_supervisor.cc",
            "native/linux/connect_mediator.cc",
            "native/linux/target_access.cc",
            "native/linux/seccomp_notify.cc",
            "native/linux/supervisor_log.cc",
            "<@(cordon_shared_sources)"
          ],
          "cflags": ["<@(cordon_cflags)", "-fPIE", "-fno-exceptions"],
          "cflags_cc": ["-std=c++17"],
          "ldflags": ["-static-pie", "-Wl,-z,relro,-z,now", "-Wl,-z,noexecstack"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
