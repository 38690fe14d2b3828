# UART option parsing (drivers/uart/uart_options.c: "baud[,DPS]").
UNIT_TESTS += uartopt
uartopt_SRCS := drivers/uart/uart_options.c tests/unit/test_uartopt.c
uartopt_CFLAGS := -fno-sanitize-recover=all
