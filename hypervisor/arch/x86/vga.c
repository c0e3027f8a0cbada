/* vga.c - the VGA text-mode console (80x25 at 0xB8000), for machines whose operator looks at a screen. */
#include <parva/console.h>
#include <parva/lib.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/vga.h>

#define COLS    80
#define ROWS    25
#define ATTR    0x0700

static volatile uint16_t *screen;
static unsigned int col, row;

static void vga_newline(void)
{
    unsigned int i;

    col = 0;
    if ( ++row < ROWS )
        return;
    for ( i = 0; i < (ROWS - 1) * COLS; i++ )
        screen[i] = screen[i + COLS];
    for ( i = 0; i < COLS; i++ )
        screen[(ROWS - 1) * COLS + i] = ATTR | ' ';
    row = ROWS - 1;
}

static void vga_puts(const char *s, size_t len)
{
    size_t i;

    for ( i = 0; i < len; i++ )
    {
        if ( s[i] == '\n' )
            vga_newline();
        else if ( s[i] != '\r' )
        {
            screen[row * COLS + col] = ATTR | (uint8_t)s[i];
            if ( ++col == COLS )
                vga_newline();
        }
    }
}

static struct console_driver vga_drv = { .name = "vga", .puts = vga_puts };

void __init vga_init(bool text_mode_available)
{
    unsigned int i;

    if ( !console_wants("vga") || !text_mode_available )
        return;
    screen = maddr_to_virt(0xb8000);
    for ( i = 0; i < ROWS * COLS; i++ )
        screen[i] = ATTR | ' ';
    col = row = 0;
    console_register(&vga_drv);
}
