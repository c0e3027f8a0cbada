# vcpu-ipi-4: vcpu-ipi-2's kernel with 4 vCPUs (hv-args) on 2 CPUs; with more than two vCPUs it also
# moves every vcpu_info with VCPUOP_register_vcpu_info.
vcpu-ipi-4_SRC := tests/guests/vcpu-ipi-2/main.c
