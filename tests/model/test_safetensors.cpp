#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "model/model_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/model/safetensors.hpp"

namespace fs = std::filesystem;
using ttrl::model::SafetensorsCheckpoint;
using ttrl::model::SafetensorsFile;

namespace {

/// A file made of an explicit header length, header text and data bytes, so that every field can be corrupted.
std::string write_raw(const std::string& path, uint64_t header_length, const std::string& header, size_t data_bytes) {
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>(header_length >> (8 * i)));
  out << header << std::string(data_bytes, '\0');
  return path;
}

std::string write_raw(const std::string& path, const std::string& header, size_t data_bytes) {
  return write_raw(path, header.size(), header, data_bytes);
}

/// The message of the IoError opening `path` throws ("" when none).
std::string open_error(const std::string& path) {
  try {
    SafetensorsFile file(path);
  } catch (const ttrl::IoError& e) {
    return e.what();
  }
  return "";
}

class ModelSafetensors : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch = std::make_unique<ttrl::model::test_util::ScratchDir>("safetensors");
    dir = scratch->path();
  }
  std::string path(const std::string& name) const { return dir + "/" + name; }
  std::unique_ptr<ttrl::model::test_util::ScratchDir> scratch;
  std::string dir;
};

#define EXPECT_HAS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

}  // namespace

TEST_F(ModelSafetensors, WritesAndReadsEveryFloatDtype) {
  const auto a = torch::randn({3, 5});
  const auto b = torch::randn({7}).to(torch::kBFloat16);
  const auto c = torch::randn({2, 2, 2}).to(torch::kFloat16);
  const auto empty = torch::zeros({0, 4});
  ttrl::model::write_safetensors(path("t.safetensors"), {{"a", a}, {"b", b}, {"c", c}, {"empty", empty}}, {{"k", "v"}});
  const SafetensorsFile file(path("t.safetensors"));
  EXPECT_EQ(file.names(), (std::vector<std::string>{"a", "b", "c", "empty"}));
  EXPECT_TRUE(torch::equal(file.tensor("a"), a));
  EXPECT_TRUE(torch::equal(file.tensor("b"), b));
  EXPECT_TRUE(torch::equal(file.tensor("c"), c));
  EXPECT_EQ(file.tensor("empty").sizes(), empty.sizes());
  EXPECT_EQ(file.entry("b").dtype, "BF16");
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.metadata().at("k"), "v");
  EXPECT_FALSE(fs::exists(path("t.safetensors.tmp." + std::to_string(::getpid()))));
}

TEST_F(ModelSafetensors, ViewsOutliveTheFileObject) {
  ttrl::model::write_safetensors(path("t.safetensors"), {{"x", torch::arange(10, torch::kFloat32)}});
  torch::Tensor view;
  {
    const SafetensorsFile file(path("t.safetensors"));
    view = file.tensor("x");
  }
  EXPECT_EQ(view[9].item<float>(), 9.0f);
  view.fill_(1.0f);  // copy-on-write mapping: neither a crash nor a change to the file
  EXPECT_EQ(SafetensorsFile(path("t.safetensors")).tensor("x")[9].item<float>(), 9.0f);
}

TEST_F(ModelSafetensors, TruncatedBeforeTheHeaderLength) {
  std::ofstream(path("short.safetensors"), std::ios::binary) << "abc";
  const std::string error = open_error(path("short.safetensors"));
  EXPECT_HAS(error, path("short.safetensors"));
  EXPECT_HAS(error, "truncated");
}

TEST_F(ModelSafetensors, HeaderTooLarge) {
  const std::string error = open_error(write_raw(path("big.safetensors"), 200'000'000, "{}", 0));
  EXPECT_HAS(error, path("big.safetensors"));
  EXPECT_HAS(error, "exceeds the limit");
}

TEST_F(ModelSafetensors, HeaderLongerThanTheFile) {
  const std::string error = open_error(write_raw(path("h.safetensors"), 1000, "{}", 0));
  EXPECT_HAS(error, "truncated file");
}

TEST_F(ModelSafetensors, HeaderIsNotJson) {
  const std::string error = open_error(write_raw(path("j.safetensors"), "{\"a\": [", 0));
  EXPECT_HAS(error, path("j.safetensors"));
  EXPECT_HAS(error, "not valid JSON");
}

// Found by fuzzing (scripts/fuzz.sh safetensors_header): a number beyond the range of double is valid JSON syntax
// that nlohmann::json refuses with out_of_range, which escaped instead of becoming an IoError naming the file.
TEST_F(ModelSafetensors, NumberBeyondDoubleInTheHeaderIsNotValidJson) {
  const std::string error =
      open_error(write_raw(path("n.safetensors"), R"({"w":{"dtype":"F32","shape":[1e999],"data_offsets":[0,4]}})", 4));
  EXPECT_HAS(error, path("n.safetensors"));
  EXPECT_HAS(error, "not valid JSON");
}

TEST_F(ModelSafetensors, UnknownDtype) {
  const std::string error =
      open_error(write_raw(path("d.safetensors"), R"({"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}})", 16));
  EXPECT_HAS(error, "tensor 'w'");
  EXPECT_HAS(error, "unknown dtype 'F128'");
}

TEST_F(ModelSafetensors, ShapeDisagreesWithOffsets) {
  const std::string error =
      open_error(write_raw(path("s.safetensors"), R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20));
  EXPECT_HAS(error, "tensor 'w'");
  EXPECT_HAS(error, "needs 24 bytes but data_offsets span 20");
}

TEST_F(ModelSafetensors, NegativeDimension) {
  const std::string error =
      open_error(write_raw(path("n.safetensors"), R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4));
  EXPECT_HAS(error, "tensor 'w'");
  EXPECT_HAS(error, "negative");
}

TEST_F(ModelSafetensors, OverlappingOffsets) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})";
  const std::string error = open_error(write_raw(path("o.safetensors"), header, 12));
  EXPECT_HAS(error, path("o.safetensors"));
  EXPECT_HAS(error, "tensor 'b' overlaps tensor 'a'");
}

TEST_F(ModelSafetensors, OffsetsBeyondTheFile) {
  const std::string header = R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  const std::string error = open_error(write_raw(path("r.safetensors"), header, 8));  // 8 of 16 bytes present
  EXPECT_HAS(error, "tensor 'a'");
  EXPECT_HAS(error, "outside the data section");
}

TEST_F(ModelSafetensors, HoleBetweenTensorsAndTrailingBytes) {
  const std::string gap = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                          R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
  EXPECT_HAS(open_error(write_raw(path("g.safetensors"), gap, 12)), "unused bytes before tensor 'b'");
  const std::string one = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  EXPECT_HAS(open_error(write_raw(path("t.safetensors"), one, 10)), "6 bytes after the last tensor");
}

TEST_F(ModelSafetensors, FileThatIsNotThere) {
  EXPECT_HAS(open_error(path("missing.safetensors")), path("missing.safetensors"));
}

TEST_F(ModelSafetensors, ShardedCheckpointResolvesNamesAndChecksTheIndex) {
  ttrl::model::write_safetensors(path("model-00001-of-00002.safetensors"), {{"a", torch::ones({2})}});
  ttrl::model::write_safetensors(path("model-00002-of-00002.safetensors"), {{"b", torch::zeros({3})}});
  std::ofstream(path("model.safetensors.index.json"))
      << R"({"metadata":{"total_size":20},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
  const SafetensorsCheckpoint checkpoint(dir);
  EXPECT_EQ(checkpoint.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(checkpoint.tensor("b").size(0), 3);
  try {
    checkpoint.tensor("c");
    FAIL();
  } catch (const ttrl::IoError& e) {
    EXPECT_HAS(std::string(e.what()), "tensor 'c' is missing");
  }
  std::ofstream(path("model.safetensors.index.json"))
      << R"({"weight_map":{"a":"model-00002-of-00002.safetensors"}})";
  try {
    SafetensorsCheckpoint bad(dir);
    FAIL();
  } catch (const ttrl::IoError& e) {
    EXPECT_HAS(std::string(e.what()), "tensor 'a' is listed in shard 'model-00002-of-00002.safetensors'");
  }
  std::ofstream(path("model.safetensors.index.json")) << R"({"weight_map":{"a":"gone.safetensors"}})";
  EXPECT_THROW(SafetensorsCheckpoint{dir}, ttrl::IoError);
  std::ofstream(path("model.safetensors.index.json")) << R"({"weight_map":{"a":"../x.safetensors"}})";
  EXPECT_THROW(SafetensorsCheckpoint{dir}, ttrl::IoError);
}

// Found by fuzzing (scripts/fuzz.sh safetensors_index): the same out_of_range escaped the index parser.
TEST_F(ModelSafetensors, NumberBeyondDoubleInTheIndexIsInvalidJson) {
  ttrl::model::write_safetensors(path("model-00001-of-00001.safetensors"), {{"a", torch::ones({2})}});
  std::ofstream(path("model.safetensors.index.json"))
      << R"({"metadata":{"total_size":1e999},"weight_map":{"a":"model-00001-of-00001.safetensors"}})";
  try {
    SafetensorsCheckpoint checkpoint(dir);
    FAIL();
  } catch (const ttrl::IoError& e) {
    EXPECT_HAS(std::string(e.what()), "model.safetensors.index.json: invalid JSON");
  }
}

// ---- checkpoint loading: errors that involve the model -----------------------------------------------------------

class ModelCheckpointErrors : public ModelSafetensors {
 protected:
  void SetUp() override {
    ModelSafetensors::SetUp();
    config = ttrl::model::test_util::tiny_config();
    ttrl::model::save_pretrained(*ttrl::model::random_init(config, 1), dir);
  }
  /// Rewrites model.safetensors with `edit` applied to the tensors.
  template <typename Edit>
  void rewrite(Edit edit) {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    {
      const SafetensorsFile file(path("model.safetensors"));
      for (const auto& name : file.names()) tensors.emplace_back(name, file.tensor(name).clone());
    }
    edit(tensors);
    ttrl::model::write_safetensors(path("model.safetensors"), tensors);
  }
  std::string load_error() {
    try {
      ttrl::model::load_pretrained(dir);
    } catch (const ttrl::Error& e) {
      return e.what();
    }
    return "";
  }
  ttrl::model::ModelConfig config;
};

TEST_F(ModelCheckpointErrors, MissingTensorIsNamed) {
  rewrite([](auto& tensors) {
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                 [](const auto& t) { return t.first == "model.layers.1.mlp.up_proj.weight"; }),
                  tensors.end());
  });
  const std::string error = load_error();
  EXPECT_HAS(error, "tensor 'model.layers.1.mlp.up_proj.weight' is missing");
  EXPECT_HAS(error, dir);
}

TEST_F(ModelCheckpointErrors, ShapeThatDisagreesWithConfigIsNamed) {
  rewrite([](auto& tensors) {
    for (auto& t : tensors)
      if (t.first == "model.layers.0.self_attn.k_proj.weight") t.second = torch::zeros({8, 32});
  });
  const std::string error = load_error();
  EXPECT_HAS(error, path("model.safetensors"));
  EXPECT_HAS(error, "tensor 'model.layers.0.self_attn.k_proj.weight' has shape [8, 32] but config.json implies [16, 32]");
}

TEST_F(ModelCheckpointErrors, IntegerWeightsAreRejected) {
  rewrite([](auto& tensors) {
    for (auto& t : tensors)
      if (t.first == "model.norm.weight") t.second = torch::ones({32}, torch::kInt64);
  });
  EXPECT_HAS(load_error(), "tensor 'model.norm.weight' has dtype I64");
}

TEST_F(ModelCheckpointErrors, NaNWeightsAreLoadedWithAWarningNamingTheTensor) {
  rewrite([](auto& tensors) {
    for (auto& t : tensors)
      if (t.first == "model.layers.0.mlp.down_proj.weight") t.second[0][0] = NAN;
  });
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  EXPECT_NO_THROW(ttrl::model::load_pretrained(dir));
  spdlog::set_default_logger(previous);
  std::string log;
  for (const auto& line : sink->last_formatted()) log += line;
  EXPECT_HAS(log, "tensor 'model.layers.0.mlp.down_proj.weight' contains 1 NaN");
  EXPECT_HAS(log, "model.safetensors");
}

TEST_F(ModelCheckpointErrors, CorruptFileInACheckpointIsNamed) {
  fs::resize_file(path("model.safetensors"), fs::file_size(path("model.safetensors")) - 10);
  const std::string error = load_error();
  EXPECT_HAS(error, path("model.safetensors"));
  EXPECT_HAS(error, "outside the data section");
}
