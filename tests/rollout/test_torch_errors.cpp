// LibTorch's checks must throw c10::Error in every binary that also links sentencepiece (the tokenizer module).
// Debian's libsentencepiece exports an absl flag named FLAGS_minloglevel, as libc10 does; when libc10's definition
// came first in the search order, sentencepiece's constructor wrote over c10's neighbouring
// FLAGS_caffe2_use_fatal_for_enforce and every failed check aborted the process (#14). cmake/TtrlModule.cmake links
// sentencepiece first; this test fails (aborts) when that order is lost.
#include <c10/util/Flags.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "ttrl/tokenizer/tokenizer.hpp"

C10_DECLARE_bool(caffe2_use_fatal_for_enforce);

namespace {

TEST(TorchErrors, EnforceFailuresAreNotFatal) {
  EXPECT_FALSE(FLAGS_caffe2_use_fatal_for_enforce);
}

TEST(TorchErrors, FailedChecksThrowInABinaryThatLinksSentencepiece) {
  (void)&ttrl::load_tokenizer;  // keeps the tokenizer module (and with it sentencepiece) in this binary
  EXPECT_THROW(torch::ones({2, 3}).view({4}), c10::Error);
  // An allocation that cannot succeed is an enforce failure in c10's CPU allocator.
  EXPECT_THROW(torch::empty({int64_t{1} << 62}, torch::kUInt8), c10::Error);
}

}  // namespace
