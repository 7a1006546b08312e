#pragma once
// No command removes or replaces what it did not create. Every output directory a command writes carries a marker
// file, `.ttrl-output` ({"kind": "train"}), and a command writes into a directory only when it is new, empty, or
// marked with the same kind, unless the user passes --overwrite. An output file (eval's results.json) is replaced
// only when it is a previous output of the same kind. The checks run before any work, so a run that would be refused
// is refused in its first second, not after hours of training.
#include <functional>
#include <string>

namespace ttrl {

/// Name of the marker file in an output directory.
inline constexpr const char* kOutputMarker = ".ttrl-output";

struct OutputClaim {
  std::string kind;    ///< "train", "sft", "demo": what the command writes
  std::string option;  ///< how the user named the path, for messages: "--output", "trainer.output_dir"
  bool overwrite = false;  ///< --overwrite: the user accepts that an unmarked or foreign output is replaced
  /// Recognises an unmarked directory as an earlier output of this kind (e.g. checkpoints copied from another run,
  /// or written by a ttrl that did not mark its outputs yet); optional.
  std::function<bool(const std::string& dir)> is_previous_output;
};

/// Makes `dir` an output directory of `claim.kind`: refuses (IoError naming the path, what is there and the option to
/// change or --overwrite) a file, or a non-empty directory that is not marked with the same kind; otherwise creates
/// it, checks that files can be created in it, and writes the marker. An unmarked directory that
/// `claim.is_previous_output` recognises counts as marked with the same kind.
void claim_output_dir(const std::string& dir, const OutputClaim& claim);

/// Writes the marker of `kind` into `dir` again (after a step that replaced the whole directory).
void mark_output_dir(const std::string& dir, const std::string& kind);

/// Refuses (IoError) to replace `path` when it exists and `is_previous_output(content)` is false, unless `overwrite`;
/// also refuses a directory. Checks that the parent directory can be written.
void check_output_file(const std::string& path, const std::string& option, bool overwrite,
                       const std::function<bool(const std::string& content)>& is_previous_output);

}  // namespace ttrl
