/* The VT-x backend's entry in the vendor interface. */
#include <asm/vmx_internal.h>

const struct hvm_vendor_ops vmx_ops = {
    .name = "VT-x",
    .hypercall_insn = {0x0f, 0x01, 0xc1}, /* vmcall */
    .cpu_enable = vmx_cpu_enable,
    .domain_init = vmx_domain_init,
    .domain_destroy = vmx_domain_destroy,
    .map_ram = vmx_map_ram,
    .unmap = vmx_unmap,
    .gpa_to_hpa = vmx_gpa_to_hpa,
    .vcpu_init = vmx_vcpu_init,
    .vcpu_destroy = vmx_vcpu_destroy,
    .vcpu_set_pvh_entry = vmx_set_pvh_entry,
    .vcpu_run = vmx_vcpu_run,
    .vcpu_get_state = vmx_get_state,
    .inject_exception = vmx_inject_exception,
    .vcpu_dump = vmx_dump_vcpu,
    .get_cr = vmx_get_cr,
    .get_efer = vmx_get_efer,
    .set_efer = vmx_set_efer,
    .get_cpl = vmx_get_cpl,
    .get_debugctl = vmx_get_debugctl,
    .set_debugctl = vmx_set_debugctl,
    .get_reg = vmx_get_reg,
    .set_reg = vmx_set_reg,
    .get_segment = vmx_get_segment,
    .exit_insn_len = vmx_exit_insn_len,
    .skip_insn = vmx_skip_insn,
    .inject_page_fault = vmx_inject_page_fault,
    .exit_reason_name = vmx_exit_reason_name,
};
