#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model/model_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/model/checkpoint.hpp"
#include "ttrl/model/decode_attention.hpp"
#include "ttrl/model/transformer.hpp"

namespace fs = std::filesystem;
using namespace ttrl::model;

namespace {

/// A random model with weights large enough that logits differ clearly between positions.
Transformer tiny_model(const ModelConfig& config, uint64_t seed = 3) {
  ModelConfig c = config;
  c.initializer_range = 0.2;
  return random_init(c, seed);
}

torch::Tensor random_ids(int64_t rows, int64_t tokens, int64_t vocab, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  return torch::randint(vocab, {rows, tokens}, generator, torch::kInt64);
}

/// Full-sequence logits of each row of `ids` alone, truncated to `lengths[b]` tokens.
torch::Tensor reference_logits(Transformer& model, const torch::Tensor& ids, int64_t row, int64_t length) {
  return model->logits(ids.narrow(0, row, 1).narrow(1, 0, length))[0];
}

constexpr double kTol = 1e-5;

}  // namespace

TEST(ModelTransformer, ParameterNamesAreTheHuggingFaceNames) {
  ModelConfig config = test_util::tiny_config("qwen3");
  auto names = random_init(config, 0)->named_parameters().keys();
  for (const char* expected :
       {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_norm.weight",
        "model.layers.1.mlp.down_proj.weight", "model.layers.1.post_attention_layernorm.weight", "model.norm.weight",
        "lm_head.weight"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  config = test_util::tiny_config("qwen2");
  config.tie_word_embeddings = true;
  Transformer tied = random_init(config, 0);
  names = tied->named_parameters().keys();
  EXPECT_EQ(std::find(names.begin(), names.end(), "lm_head.weight"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "model.layers.0.self_attn.v_proj.bias"), names.end());
  EXPECT_TRUE(tied->lm_head_weight().is_same(tied->model->embed_tokens->weight));
}

TEST(ModelTransformer, PrefillThenDecodeMatchesOneFullForward) {
  Transformer model = tiny_model(test_util::tiny_config("qwen3"));
  const torch::Tensor ids = random_ids(2, 12, 97, 7);
  const torch::Tensor full = model->logits(ids);
  torch::NoGradGuard no_grad;
  KVCache cache = model->make_cache(2, 16);
  cache.reset(2);
  // A prompt in two chunks (the second attends to the cached first), then one token at a time.
  std::vector<torch::Tensor> steps{model->logits(ids.narrow(1, 0, 5), &cache), model->logits(ids.narrow(1, 5, 3), &cache)};
  for (int64_t t = 8; t < 12; ++t) steps.push_back(model->logits(ids.narrow(1, t, 1), &cache));
  EXPECT_EQ(cache.lengths(), (std::vector<int64_t>{12, 12}));
  EXPECT_LT((torch::cat(steps, 1) - full).abs().max().item<double>(), kTol);
}

TEST(ModelTransformer, RowsOfDifferentLengthsDecodeIndependently) {
  // Right-padded prefill of prompts of length 3 and 6, then per-row decoding: each row must equal its own forward.
  Transformer model = tiny_model(test_util::tiny_config("llama"));
  const torch::Tensor ids = random_ids(2, 10, 97, 11);
  const std::vector<int64_t> prompt{3, 6};
  torch::NoGradGuard no_grad;
  KVCache cache = model->make_cache(2, 16);
  cache.reset(2);
  const torch::Tensor prefill = model->logits(ids.narrow(1, 0, 6), &cache, prompt);
  EXPECT_EQ(cache.lengths(), prompt);
  for (int64_t b = 0; b < 2; ++b)
    EXPECT_LT((prefill[b].narrow(0, 0, prompt[b]) - reference_logits(model, ids, b, prompt[b])).abs().max().item<double>(), kTol);
  for (int64_t step = 0; step < 4; ++step) {
    const torch::Tensor next = torch::stack({ids[0][prompt[0] + step], ids[1][prompt[1] + step]}).view({2, 1});
    const torch::Tensor logits = model->logits(next, &cache);
    for (int64_t b = 0; b < 2; ++b) {
      const torch::Tensor expected = reference_logits(model, ids, b, prompt[b] + step + 1)[-1];
      EXPECT_LT((logits[b][0] - expected).abs().max().item<double>(), kTol) << "row " << b << " step " << step;
    }
  }
}

TEST(ModelTransformer, ExpandKeepAndAppendRowsKeepEachSequenceExact) {
  Transformer model = tiny_model(test_util::tiny_config("mistral"));
  const torch::Tensor prompts = random_ids(2, 4, 97, 5);
  const torch::Tensor continuations = random_ids(6, 5, 97, 6);  // row r continues prompt r / 3
  auto sequence = [&](int64_t row, int64_t steps) {
    return torch::cat({prompts[row / 3], continuations[row].narrow(0, 0, steps)}).unsqueeze(0);
  };
  torch::NoGradGuard no_grad;
  KVCache cache = model->make_cache(8, 16);
  cache.reset(2);
  model->logits(prompts, &cache);
  cache.expand_rows(3);  // prompt p -> rows 3p .. 3p+2
  std::vector<int64_t> live{0, 1, 2, 3, 4, 5};
  for (int64_t step = 0; step < 5; ++step) {
    if (step == 2) {  // rows 1 and 4 finish: compaction
      live = {0, 2, 3, 5};
      cache.keep_rows({0, 2, 3, 5});
    }
    std::vector<torch::Tensor> next;
    for (int64_t r : live) next.push_back(continuations[r][step]);
    const torch::Tensor logits = model->logits(torch::stack(next).view({-1, 1}), &cache);
    for (size_t i = 0; i < live.size(); ++i) {
      const torch::Tensor expected = model->logits(sequence(live[i], step + 1))[0][-1];
      EXPECT_LT((logits[i][0] - expected).abs().max().item<double>(), kTol) << "row " << live[i] << " step " << step;
    }
  }
  // A newly prefilled prompt joins the running batch.
  KVCache fresh = model->make_cache(1, 16);
  fresh.reset(1);
  const torch::Tensor newcomer = random_ids(1, 7, 97, 9);
  model->logits(newcomer.narrow(1, 0, 6), &fresh);
  cache.append_rows_from(fresh, {0});
  EXPECT_EQ(cache.lengths(), (std::vector<int64_t>{9, 9, 9, 9, 6}));
  std::vector<torch::Tensor> next(4, torch::tensor(int64_t{1}));
  next.push_back(newcomer[0][6]);
  const torch::Tensor logits = model->logits(torch::stack(next).view({-1, 1}), &cache);
  EXPECT_LT((logits[4][0] - model->logits(newcomer)[0][-1]).abs().max().item<double>(), kTol);
}

TEST(ModelTransformer, MoveRowsCopiesOnlyTheRowsThatChangePlaceAndKeepsEachSequenceExact) {
  Transformer model = tiny_model(test_util::tiny_config("qwen2"));
  const torch::Tensor prompts = random_ids(5, 3, 97, 11);
  const torch::Tensor continuations = random_ids(5, 4, 97, 12);
  torch::NoGradGuard no_grad;
  KVCache cache = model->make_cache(5, 16);
  cache.reset(5);
  model->logits(prompts, &cache);
  model->logits(continuations.narrow(1, 0, 1), &cache);
  // Rows 1 and 2 finish: row 4 fills hole 1, row 3 fills hole 2; row 0 stays where it is.
  cache.move_rows({4, 3}, {1, 2}, 3);
  EXPECT_EQ(cache.batch_size(), 3);
  const std::vector<int64_t> live{0, 4, 3};
  const torch::Tensor next = torch::stack({continuations[0][1], continuations[4][1], continuations[3][1]}).view({-1, 1});
  const torch::Tensor logits = model->logits(next, &cache);
  for (size_t i = 0; i < live.size(); ++i) {
    const int64_t r = live[i];
    const torch::Tensor expected = model->logits(torch::cat({prompts[r], continuations[r].narrow(0, 0, 2)}).unsqueeze(0))[0][-1];
    EXPECT_LT((logits[static_cast<int64_t>(i)][0] - expected).abs().max().item<double>(), kTol) << "row " << r;
  }
  EXPECT_THROW(cache.move_rows({0}, {1}, 2), ttrl::Error);  // a row below the new size cannot move
  EXPECT_THROW(cache.move_rows({2}, {2}, 2), ttrl::Error);  // the destination must be below the new size
  EXPECT_THROW(cache.move_rows({2}, {0, 1}, 2), ttrl::Error);
}

TEST(ModelTransformer, DecodeAttentionKeepsTheMaskedPathWhereTheFusedKernelCannotRun) {
  // CPU and float32 queries take masked SDPA (decode_attention.hpp); the check never starts there.
  EXPECT_FALSE(fused_decode_supported(torch::zeros({1, 4, 1, 16}), 16));
  EXPECT_FALSE(fused_decode_supported(torch::zeros({1, 4, 1, 16}, torch::kBFloat16), 16));
  Transformer model = tiny_model(test_util::tiny_config("qwen2"));
  torch::NoGradGuard no_grad;
  KVCache cache = model->make_cache(2, 16);
  cache.reset(2);
  model->logits(random_ids(2, 3, 97, 1), &cache);
  model->logits(random_ids(2, 1, 97, 2), &cache);
  EXPECT_EQ(cache.fused_decode(0), KVCache::FusedDecode::kUnchecked);
}

/// GPU (ctest label gpu through tests/gpu): decode steps with the fused kernel give the logits of masked SDPA, for
/// full and sliding-window layers, with rows of different lengths; the first step's check turns the kernel on.
TEST(ModelTransformer, FusedDecodeAttentionMatchesMaskedSdpaOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible";
  for (const bool sliding : {false, true}) {
    ModelConfig config = test_util::tiny_config("qwen2");
    config.num_key_value_heads = 2;
    if (sliding) {
      config.sliding_window = 4;
      config.layer_types.assign(2, AttentionKind::kSlidingWindow);
    }
    Transformer model = tiny_model(config);
    model->to(torch::Device(torch::kCUDA, 0), torch::kBFloat16);
    torch::NoGradGuard no_grad;
    KVCache fused = model->make_cache(3, 32), masked = model->make_cache(3, 32);
    masked.set_fused_decode(0, KVCache::FusedDecode::kOff);
    const torch::Tensor prompts = random_ids(3, 9, 97, 21).cuda();
    const std::vector<int64_t> valid{9, 4, 6};  // rows of different lengths
    for (KVCache* cache : {&fused, &masked}) {
      cache->reset(3);
      model->logits(prompts, cache, valid);
    }
    const torch::Tensor steps = random_ids(3, 8, 97, 22).cuda();
    for (int64_t t = 0; t < 8; ++t) {
      const torch::Tensor a = model->logits(steps.narrow(1, t, 1), &fused).to(torch::kFloat32);
      const torch::Tensor b = model->logits(steps.narrow(1, t, 1), &masked).to(torch::kFloat32);
      EXPECT_LT((a - b).abs().max().item<double>(), 0.05 * b.abs().max().item<double>() + 1e-2)
          << (sliding ? "sliding" : "full") << " step " << t;
    }
    for (int64_t layer = 0; layer < 2; ++layer) {
      EXPECT_EQ(fused.fused_decode(layer), KVCache::FusedDecode::kOn) << "layer " << layer;
      EXPECT_EQ(masked.fused_decode(layer), KVCache::FusedDecode::kOff);
    }
  }
}

TEST(ModelTransformer, SlidingWindowLimitsAttentionWithAndWithoutCache) {
  ModelConfig config = test_util::tiny_config("mistral");
  config.sliding_window = 4;
  config.layer_types.assign(2, AttentionKind::kSlidingWindow);
  Transformer windowed = tiny_model(config);
  Transformer full = tiny_model(test_util::tiny_config("mistral"));
  const torch::Tensor ids = random_ids(1, 10, 97, 2);
  const torch::Tensor a = windowed->logits(ids), b = full->logits(ids);
  // Same weights: positions within the window agree, later ones differ.
  EXPECT_LT((a.narrow(1, 0, 4) - b.narrow(1, 0, 4)).abs().max().item<double>(), kTol);
  EXPECT_GT((a.narrow(1, 4, 6) - b.narrow(1, 4, 6)).abs().max().item<double>(), 1e-3);
  torch::NoGradGuard no_grad;
  KVCache cache = windowed->make_cache(1, 16);
  cache.reset(1);
  std::vector<torch::Tensor> steps{windowed->logits(ids.narrow(1, 0, 3), &cache)};
  for (int64_t t = 3; t < 10; ++t) steps.push_back(windowed->logits(ids.narrow(1, t, 1), &cache));
  EXPECT_LT((torch::cat(steps, 1) - a).abs().max().item<double>(), kTol);
}

TEST(ModelTransformer, CacheMisuseIsAnError) {
  Transformer model = tiny_model(test_util::tiny_config());
  KVCache cache = model->make_cache(2, 4);
  cache.reset(2);
  EXPECT_THROW(model->logits(random_ids(2, 2, 97, 0), &cache), ttrl::Error);  // grad mode on
  torch::NoGradGuard no_grad;
  EXPECT_THROW(model->logits(random_ids(1, 2, 97, 0), &cache), ttrl::Error);  // batch mismatch
  EXPECT_THROW(model->logits(random_ids(2, 5, 97, 0), &cache), ttrl::Error);  // exceeds max_len
  EXPECT_THROW(cache.select_rows({0, 2}), ttrl::Error);
  EXPECT_THROW(cache.keep_rows({1, 0}), ttrl::Error);
  EXPECT_THROW(cache.expand_rows(3), ttrl::Error);  // 6 rows > max_batch 2
}

TEST(ModelTransformer, GradientCheckpointingGivesTheSameGradients) {
  Transformer model = tiny_model(test_util::tiny_config("qwen3"));
  const torch::Tensor ids = random_ids(2, 9, 97, 4);
  auto gradients = [&](bool checkpointing) {
    model->zero_grad();
    model->set_gradient_checkpointing(checkpointing);
    const torch::Tensor logits = model->logits(ids);
    (torch::log_softmax(logits, -1).select(-1, 3).sum() + logits.pow(2).mean()).backward();
    std::vector<torch::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad().clone());
    return grads;
  };
  const auto plain = gradients(false), recomputed = gradients(true);
  ASSERT_EQ(plain.size(), recomputed.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    ASSERT_TRUE(plain[i].defined() && recomputed[i].defined());
    EXPECT_GT(plain[i].abs().sum().item<double>(), 0.0);
    EXPECT_TRUE(torch::allclose(plain[i], recomputed[i], 1e-5, 1e-7)) << model->named_parameters().keys()[i];
  }
}

TEST(ModelTransformer, SaveLoadRoundTripIsExactAndSharded) {
  const test_util::ScratchDir scratch("roundtrip");
  const std::string& root = scratch.path();
  ModelConfig config = test_util::tiny_config("qwen2");
  config.eos_token_ids = {5, 6};
  Transformer model = tiny_model(config);
  std::ofstream(root + "/tokenizer.json") << "{}";
  std::ofstream(root + "/merges.txt") << "";
  SaveOptions options;
  options.tokenizer_source_dir = root;
  options.max_shard_bytes = 20000;  // forces several shards
  const std::string dir = root + "/saved";
  save_pretrained(*model, dir, options);
  EXPECT_TRUE(fs::exists(dir + "/model.safetensors.index.json"));
  int shards = 0;
  for (const auto& entry : fs::directory_iterator(dir)) shards += entry.path().filename().string().rfind("model-0000", 0) == 0;
  EXPECT_GE(shards, 3);
  EXPECT_TRUE(fs::exists(dir + "/model-00001-of-0000" + std::to_string(shards) + ".safetensors"));
  EXPECT_TRUE(fs::exists(dir + "/tokenizer.json"));
  EXPECT_TRUE(fs::exists(dir + "/merges.txt"));
  EXPECT_TRUE(fs::exists(dir + "/generation_config.json"));
  Transformer loaded = load_pretrained(dir);
  EXPECT_EQ(loaded->config().eos_token_ids, (std::vector<int64_t>{5, 6}));
  const auto a = model->named_parameters(), b = loaded->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();
  // Saving over an existing checkpoint replaces it completely and leaves no temporary directory.
  options.max_shard_bytes = 1'000'000'000;
  save_pretrained(*model, dir, options);
  EXPECT_TRUE(fs::exists(dir + "/model.safetensors"));
  EXPECT_FALSE(fs::exists(dir + "/model.safetensors.index.json"));
  for (const auto& entry : fs::directory_iterator(root))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  // bf16 on load and on save.
  LoadOptions load;
  load.dtype = torch::kBFloat16;
  Transformer half = load_pretrained(dir, load);
  EXPECT_EQ(half->dtype(), torch::kBFloat16);
  EXPECT_TRUE(torch::equal(half->model->norm->weight, model->model->norm->weight.to(torch::kBFloat16)));
  EXPECT_EQ(half->logits(random_ids(1, 3, 97, 1)).scalar_type(), torch::kBFloat16);
}

TEST(ModelTransformer, CopyModelIsIndependent) {
  Transformer model = tiny_model(test_util::tiny_config("llama"));
  Transformer frozen = copy_model(*model, /*requires_grad=*/false);
  const torch::Tensor ids = random_ids(1, 5, 97, 3);
  EXPECT_TRUE(torch::equal(model->logits(ids), frozen->logits(ids)));
  EXPECT_FALSE(frozen->model->norm->weight.requires_grad());
  torch::NoGradGuard no_grad;
  model->model->norm->weight.mul_(2.0);
  EXPECT_FALSE(torch::equal(model->logits(ids), frozen->logits(ids)));
}
