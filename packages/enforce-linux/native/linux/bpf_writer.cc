// Classic-BPF assembler implementation: emits instructions and resolves forward jump labels.
#include "bpf_writer.h"

#include <cerrno>

namespace cordon {

BpfWriter::Label BpfWriter::NewLabel() {
  label_targets_.push_back(kUnbound);
  return label_targets_.size() - 1;
}

void BpfWriter::Bind(Label label) {
  label_targets_[label] = insns_.size();
}

void BpfWriter::Stmt(uint16_t code, uint32_t k) {
  insns_.push_back(sock_filter{code, 0, 0, k});
}

void BpfWriter::LoadWord(uint32_t offset) {
  Stmt(BPF_LD | BPF_W | BPF_ABS, offset);
}

void BpfWriter::Return(uint32_t action) {
  Stmt(BPF_RET | BPF_K, action);
}

void BpfWriter::Jump(uint16_t code, uint32_t k, Label if_true, Label if_false) {
  jumps_.push_back(PendingJump{insns_.size(), if_true, if_false});
  insns_.push_back(sock_filter{code, 0, 0, k});
}

int BpfWriter::Finish(std::vector<sock_filter>* out) {
  // BPF_MAXINSNS: the kernel refuses longer classic programs.
  if (insns_.empty() || insns_.size() > BPF_MAXINSNS) return -E2BIG;
  for (const PendingJump& jump : jumps_) {
    uint8_t offsets[2] = {0, 0};
    const Label labels[2] = {jump.if_true, jump.if_false};
    for (int i = 0; i < 2; ++i) {
      if (labels[i] == kNext) continue;
      if (labels[i] >= label_targets_.size()) return -EINVAL;
      const size_t target = label_targets_[labels[i]];
      if (target == kUnbound || target <= jump.insn) return -EINVAL;
      const size_t distance = target - jump.insn - 1;
      if (distance > 255) return -E2BIG;
      offsets[i] = static_cast<uint8_t>(distance);
    }
    insns_[jump.insn].jt = offsets[0];
    insns_[jump.insn].jf = offsets[1];
  }
  *out = insns_;
  return 0;
}

}  // namespace cordon
