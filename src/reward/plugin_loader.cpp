// Loading reward plugins: dlopen the library, check its ABI version, call its registration function.
#include <dlfcn.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "ttrl/reward/plugin.hpp"
#include "ttrl/reward/registry.hpp"

namespace ttrl::reward {
namespace {

namespace fs = std::filesystem;

using AbiVersionFn = int (*)();
using RegisterFn = void (*)(RewardRegistry&);

std::string last_dl_error() {
  const char* message = dlerror();
  return message ? message : "unknown error";
}

/// The library's canonical path; PluginError when there is no such file.
std::string existing_plugin_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw PluginError(fmt::format("reward.plugin: no such file '{}' (working directory: {})", path,
                                  fs::current_path(ec).string()));
  return fs::canonical(path, ec).string();
}

/// Opens the library. It is never closed: the reward objects it creates run its code for the rest of the process.
void* open_library(const std::string& canonical_path, const std::string& path) {
  dlerror();
  // An absolute path: dlopen would otherwise search the library path instead of the working directory.
  void* handle = dlopen(canonical_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw PluginError(fmt::format("reward.plugin '{}': cannot load: {}", path, last_dl_error()));
  return handle;
}

void* find_symbol(void* handle, const char* symbol, const std::string& path) {
  dlerror();
  void* address = dlsym(handle, symbol);
  if (!address)
    throw PluginError(fmt::format("reward.plugin '{}' does not export '{}': is it a ttrl reward plugin? (define its "
                                  "rewards with TTRL_REGISTER_REWARD or TTRL_REWARD_PLUGIN from "
                                  "<ttrl/reward/plugin.hpp>)", path, symbol));
  return address;
}

}  // namespace

std::vector<std::string> RewardRegistry::load_plugin(const std::string& path) {
  const std::string canonical_path = existing_plugin_file(path);
  if (loaded_plugins_.count(canonical_path)) return {};
  void* handle = open_library(canonical_path, path);

  const auto register_rewards = reinterpret_cast<RegisterFn>(find_symbol(handle, kPluginRegisterSymbol, path));
  const auto abi_version = reinterpret_cast<AbiVersionFn>(find_symbol(handle, kPluginAbiSymbol, path));
  if (const int version = abi_version(); version != kRewardPluginAbiVersion)
    throw PluginError(fmt::format("reward.plugin '{}' was built for reward plugin ABI {}, this ttrl has ABI {}: "
                                  "rebuild it against this ttrl", path, version, kRewardPluginAbiVersion));

  const std::vector<std::string> before = names();
  try {
    register_rewards(*this);
  } catch (const std::exception& e) {
    throw PluginError(fmt::format("reward.plugin '{}': registration failed: {}", path, e.what()));
  }
  loaded_plugins_.insert(canonical_path);
  std::vector<std::string> added;
  for (const auto& name : names())
    if (std::find(before.begin(), before.end(), name) == before.end()) added.push_back(name);
  return added;
}

}  // namespace ttrl::reward
