{
  "targets": [
    {
      "target_name": "cordon_windows",
      "conditions": [
        ["OS=='win'", {
          "sources": ["native/addon.cc", "native/acl.cc", "native/identity.cc", "native/firewall.cc", "native/win_util.cc"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "UNICODE", "_UNICODE", "WIN32_LEAN_AND_MEAN", "NOMINMAX"],
          "libraries": ["advapi32.lib", "netapi32.lib", "crypt32.lib", "fwpuclnt.lib"],
          "msvs_settings": {
            "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/W3", "/sdl", "/guard:cf", "/ZH:SHA_256"] },
            "VCLinkerTool": { "AdditionalOptions": ["/guard:cf", "/DYNAMICBASE"] }
          }
        }, { "type": "none" }]
      ]
    },
    {
      "target_name": "cordon-win-exec",
      "conditions": [
        ["OS=='win'", {
          "type": "executable",
          "sources": ["native/exec_main.cc", "native/identity.cc", "native/win_util.cc"],
          "defines": ["UNICODE", "_UNICODE", "WIN32_LEAN_AND_MEAN", "NOMINMAX"],
          "libraries": ["advapi32.lib", "netapi32.lib", "crypt32.lib"],
          "msvs_settings": {
            "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/W3", "/sdl", "/guard:cf", "/ZH:SHA_256"] },
            "VCLinkerTool": { "SubSystem": 1, "AdditionalOptions": ["/guard:cf", "/DYNAMICBASE"] }
          }
        }, { "type": "none" }]
      ]
    }
  ]
}
