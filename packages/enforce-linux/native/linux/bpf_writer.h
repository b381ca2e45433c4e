// A tiny classic-BPF assembler with forward labels, used to build seccomp filters.
// See: man 2 seccomp, Documentation/networking/filter.rst (classic BPF), <linux/filter.h>.
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cordon {

/** Emits sock_filter instructions; conditional jumps may target labels bound later (forward only). */
class BpfWriter {
 public:
  using Label = size_t;

  /** A new, not yet bound label. */
  Label NewLabel();
  /** Binds `label` to the next instruction emitted. */
  void Bind(Label label);

  /** Non-jump instruction (loads, ALU, returns). */
  void Stmt(uint16_t code, uint32_t k);
  /** Loads the 32-bit word at `offset` of struct seccomp_data into the accumulator. */
  void LoadWord(uint32_t offset);
  /** Returns `action` (a SECCOMP_RET_* value). */
  void Return(uint32_t action);
  /** Conditional jump: `code` is BPF_JMP|BPF_{JEQ,JGE,JGT,JSET}|BPF_K; a label of kNext = fall through. */
  void Jump(uint16_t code, uint32_t k, Label if_true, Label if_false);

  /** Resolves labels; returns 0, or -EINVAL (unbound label, backward jump) / -E2BIG (offset > 255 or program too long). */
  int Finish(std::vector<sock_filter>* out);

  static constexpr Label kNext = static_cast<Label>(-1);

 private:
  struct PendingJump {
    size_t insn;
    Label if_true;
    Label if_false;
  };
  std::vector<sock_filter> insns_;
  std::vector<size_t> label_targets_;  // instruction index, or kUnbound
  std::vector<PendingJump> jumps_;
  static constexpr size_t kUnbound = static_cast<size_t>(-1);
};

}  // namespace cordon
