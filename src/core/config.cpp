#include "ttrl/core/config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "core/config_schema.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/utf8.hpp"

namespace ttrl {
namespace cd = config_detail;
namespace {

/// Keys under reward: that no built-in field knows; legal only when reward.plugin is set (they become its options).
struct PendingPluginKey {
  std::string key;  ///< without the "reward." prefix
  YAML::Node node;
  std::string where;
};

struct ParseState {
  RunConfig config;
  std::map<std::string, std::string> where;  ///< dotted key -> "file:line:col" or "--set k=v", for range errors
  std::vector<PendingPluginKey> plugin_keys;
};

std::string mark_of(const std::string& source, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return source;
  return fmt::format("{}:{}:{}", source, m.line + 1, m.column + 1);
}

[[noreturn]] void unknown_key(const std::string& where, const std::string& path) {
  throw ConfigError(fmt::format("{}: unknown key '{}' (did you mean '{}'?)", where, path, cd::nearest_key(path)));
}

/// The first key (in documentation order) under section `prefix`, or "" when `prefix` is not a section.
std::string first_key_of_section(const std::string& prefix) {
  for (const auto& f : cd::schema())
    if (f.path.compare(0, prefix.size() + 1, prefix + ".") == 0) return f.path;
  return "";
}

bool is_field_prefix(const std::string& prefix) { return !first_key_of_section(prefix).empty(); }

void set_key(ParseState& state, const std::string& path, const YAML::Node& value, const std::string& where) {
  if (const cd::Field* field = cd::find_field(path)) {
    field->assign(state.config, value, where);
    state.where[path] = where;
    return;
  }
  if (path.rfind("reward.", 0) == 0 && path.find('.', 7) == std::string::npos) {
    state.plugin_keys.push_back({path.substr(7), value, where});
    return;
  }
  unknown_key(where, path);
}

/// Walks a mapping, assigning each leaf to its field; nested mappings recurse while they lead to known keys.
/// The line where a second document's content starts: content after a "---" marker line that itself follows
/// content; 0 when there is none. (A "---" before the first content only opens the first document.)
size_t second_document_line(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  bool content_seen = false, marker_after_content = false;
  for (size_t number = 1; std::getline(in, line); ++number) {
    const bool marker = line.rfind("---", 0) == 0 && (line.size() == 3 || std::isspace(static_cast<unsigned char>(line[3])));
    if (marker) {
      marker_after_content = marker_after_content || content_seen;
      continue;
    }
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;  // blank or comment
    if (marker_after_content) return number;
    content_seen = true;
  }
  return 0;
}

/// A key written twice in one mapping would silently keep the last value (yaml-cpp accepts it): refuse it.
void check_unique_keys(const std::string& source, const YAML::Node& map, const std::string& prefix) {
  std::map<std::string, std::string> first_seen;  // key -> where it was first written
  for (const auto& item : map) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
    const std::string where = mark_of(source, item.first);
    auto [it, inserted] = first_seen.emplace(key, where);
    if (!inserted)
      throw ConfigError(fmt::format("{}: duplicate key '{}' (first written at {}); write each key once",
                                    where, prefix.empty() ? key : prefix + "." + key, it->second));
  }
}

void walk(ParseState& state, const std::string& source, const YAML::Node& map, const std::string& prefix) {
  check_unique_keys(source, map, prefix);
  for (const auto& item : map) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    const YAML::Node& value = item.second;
    const std::string where = mark_of(source, item.first);
    if (cd::find_field(path)) {
      set_key(state, path, value, where);
    } else if (is_field_prefix(path)) {
      if (!value.IsMap() && !value.IsNull())
        throw ConfigError(fmt::format("{}: '{}' is a section: expected a mapping of keys", where, path));
      if (value.IsMap()) walk(state, source, value, path);
    } else {
      set_key(state, path, value, where);  // plugin key or unknown-key error
    }
  }
}

/// "--set a.b.c=value": value typed as YAML ("8" is an int, "0.6" a float, "true" a bool, "[a, b]" a list).
void apply_override(ParseState& state, const std::string& assignment) {
  // Like a config file, an override is text (what it sets is written to config.resolved.yaml and read back).
  if (const size_t bad = utf8::first_invalid_offset(assignment); bad != assignment.size())
    throw ConfigError(fmt::format("--set: not valid UTF-8 at byte {} of '{}=...' (a config must be UTF-8 text)", bad + 1,
                                  assignment.substr(0, std::min(bad, assignment.find('=')))));
  const std::string where = "--set " + assignment;
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(fmt::format("{}: expected KEY=VALUE, e.g. --set rollout.n_vote=16", where));
  const std::string path = assignment.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: malformed value: {}", where, e.msg));
  }
  if (!cd::find_field(path) && is_field_prefix(path))
    throw ConfigError(fmt::format("{}: '{}' is a section; set one of its keys (e.g. {})", where, path,
                                  first_key_of_section(path)));
  set_key(state, path, value, where);
}

void check_constraints(const ParseState& state) {
  for (const auto& f : cd::schema()) {
    auto it = state.where.find(f.path);
    const std::string where = it == state.where.end() ? "default" : it->second;
    if (f.number && (f.min || f.max)) {
      const double v = f.number(state.config);
      const bool low = f.min && (f.min_exclusive ? v <= *f.min : v < *f.min);
      const bool high = f.max && v > *f.max;
      if (low || high)
        throw ConfigError(fmt::format("{}: {} = {} is out of range: expected {} {}", where, f.path, f.render(state.config),
                                      cd::kind_name(f.kind), f.constraint()));
    }
    if (f.text && !f.choices.empty()) {
      const std::string v = f.text(state.config);
      if (std::find(f.choices.begin(), f.choices.end(), v) == f.choices.end())
        throw ConfigError(fmt::format("{}: {} = '{}' is not valid: expected {}", where, f.path, v, f.constraint()));
    }
  }
}

std::string where_of(const ParseState& state, const std::string& path) {
  auto it = state.where.find(path);
  return it == state.where.end() ? "default" : it->second;
}

/// Rules that involve more than one key.
void check_relations(const ParseState& state) {
  const RunConfig& c = state.config;
  if (c.rollout.n_train > c.rollout.n_vote)
    throw ConfigError(fmt::format("{}: rollout.n_train = {} must not exceed rollout.n_vote = {}",
                                  where_of(state, "rollout.n_train"), c.rollout.n_train, c.rollout.n_vote));
  const auto& r = c.model.random;
  if (r.hidden_size % r.num_heads != 0)
    throw ConfigError(fmt::format("{}: model.random.hidden_size = {} must be divisible by model.random.num_heads = {}",
                                  where_of(state, "model.random.hidden_size"), r.hidden_size, r.num_heads));
  if (r.num_heads % r.num_kv_heads != 0)
    throw ConfigError(fmt::format("{}: model.random.num_heads = {} must be divisible by model.random.num_kv_heads = {}",
                                  where_of(state, "model.random.num_kv_heads"), r.num_heads, r.num_kv_heads));
}

/// A plugin option's key as YAML: plain when it is a simple name, double-quoted otherwise (a key the YAML reader or
/// --set accepted may hold ':', '#', spaces or control characters; found by fuzz.config).
std::string plugin_key_yaml(const std::string& key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  }) && key.front() != '-';
  return plain ? key : cd::quote(key);
}

void resolve_plugin_keys(ParseState& state) {
  for (const auto& key : state.plugin_keys) {
    if (state.config.reward.plugin.empty()) unknown_key(key.where, "reward." + key.key);
    if (!key.node.IsScalar())
      throw ConfigError(fmt::format("{}: reward.{}: plugin options must be scalars", key.where, key.key));
    state.config.reward.options[key.key] = cd::utf8_scalar(key.node, "reward." + key.key, key.where);
  }
}

RunConfig finish(ParseState& state, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) apply_override(state, o);
  resolve_plugin_keys(state);
  check_constraints(state);
  check_relations(state);
  return state.config;
}

}  // namespace

RunConfig parse_config(const std::string& yaml_text, const std::string& source_name,
                       const std::vector<std::string>& overrides) {
  // yaml-cpp passes any bytes through; a config is text, and its strings reach tokenizers and file names.
  if (const size_t bad = utf8::first_invalid_offset(yaml_text); bad != yaml_text.size()) {
    const size_t line_start = yaml_text.rfind('\n', bad == 0 ? 0 : bad - 1);
    const size_t line = 1 + std::count(yaml_text.begin(), yaml_text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
    const size_t column = line_start == std::string::npos ? bad + 1 : bad - line_start;
    throw ConfigError(fmt::format("{}:{}:{}: not valid UTF-8 (a config must be UTF-8 text)", source_name, line, column));
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);  // the first document (YAML::LoadAll can loop forever on malformed input)
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}:{}:{}: malformed YAML: {}", source_name, e.mark.line + 1, e.mark.column + 1, e.msg));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: malformed YAML: {}", source_name, e.what()));
  }
  // A second document ("---" then more keys) would be ignored by a one-document reader: refuse it.
  if (const size_t line = second_document_line(yaml_text))
    throw ConfigError(fmt::format("{}:{}:1: a second YAML document starts here (after '---'); a config is one document",
                                  source_name, line));
  ParseState state;
  if (root.IsMap()) {
    walk(state, source_name, root, "");
  } else if (!root.IsNull()) {
    throw ConfigError(fmt::format("{}: expected a mapping of sections (model:, rollout:, ...) at the top level",
                                  mark_of(source_name, root)));
  }
  return finish(state, overrides);
}

RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::string text;
  try {
    text = read_text_file(path);
  } catch (const IoError& e) {
    throw ConfigError(std::string("config: ") + e.what());
  }
  return parse_config(text, path, overrides);
}

RunConfig default_config(const std::vector<std::string>& overrides) {
  ParseState state;
  return finish(state, overrides);
}

std::vector<ConfigKeyInfo> config_keys() {
  std::vector<ConfigKeyInfo> keys;
  const RunConfig defaults;
  for (const auto& f : cd::schema())
    keys.push_back({f.path, cd::kind_name(f.kind), f.render(defaults), f.constraint(), f.doc});
  return keys;
}

std::string to_yaml(const RunConfig& config, bool with_docs) {
  std::string out;
  std::vector<std::string> open;  // the section path currently open, one entry per level
  for (const auto& f : cd::schema()) {
    std::vector<std::string> parts;
    for (size_t start = 0, dot; ; start = dot + 1) {
      dot = f.path.find('.', start);
      parts.push_back(f.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
    }
    size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
    open.resize(common);
    for (size_t level = common; level + 1 < parts.size(); ++level) {
      if (level == 0 && !out.empty()) out += "\n";
      out += std::string(2 * level, ' ') + parts[level] + ":\n";
      open.push_back(parts[level]);
    }
    std::string line = std::string(2 * open.size(), ' ') + parts.back() + ": " + f.render(config);
    if (with_docs) {
      std::string constraint = f.constraint();
      line = fmt::format("{:<44} # {}{}", line, f.doc, constraint.empty() ? "" : " (" + constraint + ")");
    }
    out += line + "\n";
    if (f.path == "reward.plugin") {
      for (const auto& [key, value] : config.reward.options) out += "  " + plugin_key_yaml(key) + ": " + cd::quote(value) + "\n";
    }
  }
  return out;
}

std::string write_resolved_config(const RunConfig& config, const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "config.resolved.yaml").string();
  write_file_atomic(path, "# Resolved ttrl configuration (every key, defaults included)\n" + to_yaml(config));
  return path;
}

}  // namespace ttrl
