// Writes metrics through make_metric_sinks (JSONL + TensorBoard), for tensorboard_reader_check.py.
//
//   tensorboard_write_tool OUTPUT_DIR FIRST_STEP LAST_STEP OFFSET [RESUME_STEP]
//
// Steps FIRST..LAST get: reward/mean = OFFSET + 0.1 * step, actor/kl = OFFSET + 0.001 * step, lr = 5e-7,
// ttrl/label_accuracy = step / 8 except NaN at step 2. RESUME_STEP given: the sinks are opened as for a run
// resumed from that step.
#include <cmath>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <limits>
#include <optional>
#include <string>

#include "ttrl/metrics/metric_sinks.hpp"

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::cerr << "usage: " << argv[0] << " OUTPUT_DIR FIRST_STEP LAST_STEP OFFSET [RESUME_STEP]\n";
    return 2;
  }
  try {
    const int64_t first = std::stoll(argv[2]), last = std::stoll(argv[3]);
    const double offset = std::stod(argv[4]);
    std::optional<int64_t> resume;
    if (argc == 6) resume = std::stoll(argv[5]);
    auto sinks = ttrl::metrics::make_metric_sinks(argv[1], "metrics.jsonl", /*tensorboard=*/true, resume);
    for (int64_t step = first; step <= last; ++step) {
      ttrl::metrics::StepMetrics m{step, {}};
      m.values["reward/mean"] = offset + 0.1 * static_cast<double>(step);
      m.values["actor/kl"] = offset + 0.001 * static_cast<double>(step);
      m.values["lr"] = 5e-7;
      m.values["ttrl/label_accuracy"] =
          step == 2 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(step) / 8.0;
      sinks->write(m);
    }
    sinks->flush();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
