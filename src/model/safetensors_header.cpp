// The safetensors header and index parsers (include/ttrl/model/safetensors_header.hpp): no LibTorch, so that they
// can be fuzzed (tests/fuzz) without it.
#include "ttrl/model/safetensors_header.hpp"

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>

#include "ttrl/core/error.hpp"

namespace ttrl::model {
namespace {

using nlohmann::json;

struct DtypeSize {
  const char* name;
  size_t size;
};

const DtypeSize kDtypeSizes[] = {
    {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"I16", 2}, {"U16", 2}, {"F16", 2},
    {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4},     {"I64", 8},     {"U64", 8}, {"F64", 8},
};

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

uint64_t read_u64_le(const uint8_t* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

/// Reads one tensor entry of the header, checking its own fields (not yet its place among the others).
TensorEntry parse_entry(const std::string& name, const json& value, const std::string& where) {
  auto fail = [&](const std::string& problem) -> void {
    throw IoError(where + ": tensor '" + name + "': " + problem);
  };
  if (!value.is_object()) fail("header entry is not an object");
  TensorEntry entry;
  entry.name = name;
  if (!value.contains("dtype") || !value["dtype"].is_string()) fail("missing or non-string 'dtype'");
  entry.dtype = value["dtype"].get<std::string>();
  const size_t element_size = safetensors_dtype_size(entry.dtype);
  if (element_size == 0) fail("unknown dtype '" + entry.dtype + "'");
  if (!value.contains("shape") || !value["shape"].is_array()) fail("missing or non-array 'shape'");
  for (const json& dim : value["shape"]) {
    if (!dim.is_number_unsigned()) fail("shape " + value["shape"].dump() + " has a non-integer or negative dimension");
    const uint64_t d = dim.get<uint64_t>();
    if (d > static_cast<uint64_t>(INT64_MAX)) fail("shape dimension too large");
    entry.shape.push_back(static_cast<int64_t>(d));
  }
  const json* offsets = value.contains("data_offsets") ? &value["data_offsets"] : nullptr;
  if (offsets == nullptr || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned())
    fail("'data_offsets' must be two non-negative integers [begin, end]");
  entry.begin = (*offsets)[0].get<uint64_t>();
  entry.end = (*offsets)[1].get<uint64_t>();
  if (entry.end < entry.begin)
    fail("data_offsets [" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) + "] end before they begin");
  uint64_t bytes = element_size;
  for (int64_t d : entry.shape)
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes)) fail("shape " + shape_string(entry.shape) + " overflows");
  if (bytes != entry.end - entry.begin)
    fail("shape " + shape_string(entry.shape) + " of dtype " + entry.dtype + " needs " + std::to_string(bytes) +
         " bytes but data_offsets span " + std::to_string(entry.end - entry.begin));
  return entry;
}

/// The data section must be tiled exactly by the tensors: sorted by begin, each starts where the previous ended, the
/// first at 0 and the last at the end of the file. This rules out overlaps, holes and bytes outside the file.
void check_offsets_tile(std::vector<const TensorEntry*> entries, uint64_t data_length, const std::string& where) {
  for (const TensorEntry* e : entries)
    if (e->end > data_length)
      throw IoError(where + ": tensor '" + e->name + "': data_offsets [" + std::to_string(e->begin) + ", " +
                    std::to_string(e->end) + "] lie outside the data section of " + std::to_string(data_length) +
                    " bytes (truncated file?)");
  std::sort(entries.begin(), entries.end(), [](const TensorEntry* a, const TensorEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t expected = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry* e : entries) {
    if (e->begin < expected)
      throw IoError(where + ": tensor '" + e->name + "' overlaps tensor '" + previous->name + "' (bytes " +
                    std::to_string(e->begin) + ".." + std::to_string(expected) + ")");
    if (e->begin > expected)
      throw IoError(where + ": " + std::to_string(e->begin - expected) + " unused bytes before tensor '" + e->name +
                    "' (offsets must be contiguous)");
    expected = e->end;
    previous = e;
  }
  if (expected != data_length)
    throw IoError(where + ": " + std::to_string(data_length - expected) +
                  " bytes after the last tensor (the data section must end with the last tensor)");
}

void read_metadata(const json& value, const std::string& where, std::map<std::string, std::string>& metadata) {
  if (!value.is_object()) throw IoError(where + ": __metadata__ is not an object");
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) throw IoError(where + ": __metadata__ value of '" + key + "' is not a string");
    metadata[key] = item.get<std::string>();
  }
}

}  // namespace

size_t safetensors_dtype_size(const std::string& dtype) {
  for (const auto& info : kDtypeSizes)
    if (dtype == info.name) return info.size;
  return 0;
}

void check_safetensors_file_size(uint64_t file_size, const std::string& where) {
  if (file_size < 8)
    throw IoError(where + ": truncated file of " + std::to_string(file_size) +
                  " bytes (a safetensors file starts with an 8-byte header length)");
}

SafetensorsHeader parse_safetensors_header(const uint8_t* file, uint64_t file_size, const std::string& where) {
  check_safetensors_file_size(file_size, where);
  const uint64_t header_length = read_u64_le(file);
  if (header_length > kMaxSafetensorsHeaderBytes)
    throw IoError(where + ": header of " + std::to_string(header_length) + " bytes exceeds the limit of " +
                  std::to_string(kMaxSafetensorsHeaderBytes) + " (corrupt file?)");
  if (header_length > file_size - 8)
    throw IoError(where + ": truncated file: the header claims " + std::to_string(header_length) + " bytes but only " +
                  std::to_string(file_size - 8) + " follow");
  const char* text = reinterpret_cast<const char*>(file + 8);
  json document;
  try {
    document = json::parse(text, text + header_length);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw IoError(where + ": header is not valid JSON: " + e.what());
  }
  if (!document.is_object()) throw IoError(where + ": header is not a JSON object");
  SafetensorsHeader header;
  header.data_offset = 8 + header_length;
  for (const auto& [name, value] : document.items()) {
    if (name == "__metadata__") {
      read_metadata(value, where, header.metadata);
      continue;
    }
    header.entries.emplace(name, parse_entry(name, value, where));
  }
  std::vector<const TensorEntry*> all;
  for (const auto& item : header.entries) all.push_back(&item.second);
  check_offsets_tile(std::move(all), file_size - header.data_offset, where);
  return header;
}

std::map<std::string, std::string> parse_safetensors_index(const std::string& text, const std::string& where) {
  json index;
  try {
    index = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw IoError(where + ": invalid JSON: " + e.what());
  }
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw IoError(where + ": expected an object with a 'weight_map' object");
  std::map<std::string, std::string> weight_map;
  for (const auto& [name, shard] : index["weight_map"].items()) {
    if (!shard.is_string()) throw IoError(where + ": weight_map entry of '" + name + "' is not a file name");
    const std::string file = shard.get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
      throw IoError(where + ": weight_map entry of '" + name + "' is not a plain file name: '" + file + "'");
    weight_map.emplace(name, file);
  }
  return weight_map;
}

}  // namespace ttrl::model
