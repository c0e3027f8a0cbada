hypercall-page_VARIANT := hcpage
