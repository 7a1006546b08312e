// `ttrl grade`: extract answers and grade them for mathematical equivalence.
#include "cli/command.hpp"

namespace ttrl::cli {

void add_grade_command(CLI::App& app, CommandSlot& slot) {
  auto* cmd = app.add_subcommand("grade", "Extract answers and grade them for mathematical equivalence");
  cmd->footer("Examples:\n  ttrl grade --input pairs.jsonl > verdicts.jsonl");
  cmd->allow_extras();
  cmd->callback([&slot] { slot.run = [] () -> int { not_available("grade", "issue #5: answer grading"); }; });
}

}  // namespace ttrl::cli
