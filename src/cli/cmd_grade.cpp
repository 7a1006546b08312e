// `ttrl grade`: extract answers and grade them for mathematical equivalence. The work is
// ttrl::answer::run_grade_jsonl (include/ttrl/answer/grade_jsonl.hpp); this file only wires files to it.
#include <fstream>
#include <sstream>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/answer/grade_jsonl.hpp"
#include "ttrl/core/error.hpp"

namespace ttrl::cli {

namespace {

struct GradeOptions {
  std::string input;
  std::string output;
};

int run_grade(const GradeOptions& options) {
  std::ifstream input_file;
  std::istream* in = &std::cin;
  if (options.input != "-") {
    input_file.open(options.input, std::ios::binary);
    if (!input_file) throw IoError("cannot open " + options.input + " for reading");
    in = &input_file;
  }
  const std::string input_name = options.input == "-" ? "<stdin>" : options.input;
  answer::GradeSummary summary;
  if (options.output.empty() || options.output == "-") {
    summary = answer::run_grade_jsonl(*in, std::cout, input_name);
    if (!std::cout) throw IoError("cannot write the verdicts to standard output");
  } else {  // all or nothing: an error on line N leaves no half-written file
    std::ostringstream out;
    summary = answer::run_grade_jsonl(*in, out, input_name);
    write_file_atomic(options.output, out.str());
  }
  std::cerr << answer::describe(summary) << "\n";
  return kExitOk;
}

}  // namespace

void add_grade_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("grade", "Extract answers and grade them for mathematical equivalence");
  cmd->footer(
      "Each input line is a JSON object:\n"
      "  {\"pred\": str|null, \"gold\": str, \"input_form\": \"raw_text\"|\"answer_only\", \"task\": "
      "\"math\"|\"choice\"|\"last_number\"}\n"
      "  input_form defaults to raw_text (both sides go through answer extraction), task to math.\n"
      "Each output line: {\"equal\": bool, \"pred_answer\": str|null, \"gold_answer\": str|null}; a summary goes to "
      "stderr.\nRules and tolerances: docs/grading.md.\n\n"
      "Examples:\n"
      "  ttrl grade --input pairs.jsonl > verdicts.jsonl\n"
      "  ttrl grade -i pairs.jsonl -o verdicts.jsonl\n"
      "  echo '{\"pred\": \"so \\\\boxed{\\\\frac12}\", \"gold\": \"0.5\"}' | ttrl grade -i -");
  auto options = std::make_shared<GradeOptions>();
  cmd->add_option("-i,--input", options->input, "JSONL file of prediction/gold pairs ('-' reads stdin)")->required();
  cmd->add_option("-o,--output", options->output, "write the verdicts to this file instead of stdout");
  cmd->callback([&slot, options] { slot.run = [options] { return run_grade(*options); }; });
}

}  // namespace ttrl::cli
