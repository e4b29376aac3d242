/* SPDX-License-Identifier: GPL-2.0-only */
/* The cases' role functions, one pair per case (cases.c lists them with their IDs). */
#ifndef CASES_H
#define CASES_H

#include "conform.h"

void stream_connection_reset_client(struct cf_ctx *ctx);
void stream_bind_only_client(struct cf_ctx *ctx);
void stream_bind_only_server(struct cf_ctx *ctx);
void stream_client_close_client(struct cf_ctx *ctx);
void stream_client_close_server(struct cf_ctx *ctx);
void stream_server_close_client(struct cf_ctx *ctx);
void stream_server_close_server(struct cf_ctx *ctx);
void stream_multiconn_client(struct cf_ctx *ctx);
void stream_multiconn_server(struct cf_ctx *ctx);
void stream_addresses_client(struct cf_ctx *ctx);
void stream_addresses_server(struct cf_ctx *ctx);
void stream_double_bind_connect_client(struct cf_ctx *ctx);
void stream_double_bind_connect_server(struct cf_ctx *ctx);
void dgram_unsupported_client(struct cf_ctx *ctx);
void stream_connect_twice_client(struct cf_ctx *ctx);
void stream_connect_twice_server(struct cf_ctx *ctx);
void stream_msg_peek_client(struct cf_ctx *ctx);
void stream_msg_peek_server(struct cf_ctx *ctx);
void seqpacket_msg_peek_client(struct cf_ctx *ctx);
void seqpacket_msg_peek_server(struct cf_ctx *ctx);
void seqpacket_msg_bounds_client(struct cf_ctx *ctx);
void seqpacket_msg_bounds_server(struct cf_ctx *ctx);
void seqpacket_msg_trunc_client(struct cf_ctx *ctx);
void seqpacket_msg_trunc_server(struct cf_ctx *ctx);
void seqpacket_msg_eor_client(struct cf_ctx *ctx);
void seqpacket_msg_eor_server(struct cf_ctx *ctx);
void stream_rcvtimeo_client(struct cf_ctx *ctx);
void stream_rcvtimeo_server(struct cf_ctx *ctx);
void seqpacket_rcvtimeo_client(struct cf_ctx *ctx);
void seqpacket_rcvtimeo_server(struct cf_ctx *ctx);
void seqpacket_bigmsg_client(struct cf_ctx *ctx);
void seqpacket_bigmsg_server(struct cf_ctx *ctx);
void stream_inv_buf_client(struct cf_ctx *ctx);
void stream_inv_buf_server(struct cf_ctx *ctx);
void seqpacket_inv_buf_client(struct cf_ctx *ctx);
void seqpacket_inv_buf_server(struct cf_ctx *ctx);
void stream_send_bad_buf_client(struct cf_ctx *ctx);
void stream_send_bad_buf_server(struct cf_ctx *ctx);
void seqpacket_send_bad_buf_client(struct cf_ctx *ctx);
void seqpacket_send_bad_buf_server(struct cf_ctx *ctx);
void seqpacket_inv_rec_buffer_client(struct cf_ctx *ctx);
void seqpacket_inv_rec_buffer_server(struct cf_ctx *ctx);
void stream_poll_rcvlowat_client(struct cf_ctx *ctx);
void stream_poll_rcvlowat_server(struct cf_ctx *ctx);
void stream_shutwr_client(struct cf_ctx *ctx);
void stream_shutwr_server(struct cf_ctx *ctx);
void stream_shutrd_client(struct cf_ctx *ctx);
void stream_shutrd_server(struct cf_ctx *ctx);
void stream_skb_merge_client(struct cf_ctx *ctx);
void stream_skb_merge_server(struct cf_ctx *ctx);
void stream_msg_zerocopy_client(struct cf_ctx *ctx);
void stream_msg_zerocopy_server(struct cf_ctx *ctx);
void stream_zerocopy_needs_sockopt_client(struct cf_ctx *ctx);
void stream_zerocopy_needs_sockopt_server(struct cf_ctx *ctx);
void stream_cred_upd_client(struct cf_ctx *ctx);
void stream_cred_upd_on_low_rx_bytes_server(struct cf_ctx *ctx);
void stream_cred_upd_on_set_rcvlowat_server(struct cf_ctx *ctx);
void stream_siocoutq_client(struct cf_ctx *ctx);
void stream_siocoutq_server(struct cf_ctx *ctx);
void seqpacket_siocoutq_client(struct cf_ctx *ctx);
void seqpacket_siocoutq_server(struct cf_ctx *ctx);
void stream_siocinq_client(struct cf_ctx *ctx);
void stream_siocinq_server(struct cf_ctx *ctx);
void stream_buffer_size_client(struct cf_ctx *ctx);
void stream_buffer_size_server(struct cf_ctx *ctx);
void seqpacket_buffer_size_client(struct cf_ctx *ctx);
void seqpacket_buffer_size_server(struct cf_ctx *ctx);
void connect_timeout_option_client(struct cf_ctx *ctx);
void diag_no_sockets_client(struct cf_ctx *ctx);
void diag_no_sockets_server(struct cf_ctx *ctx);
void diag_listener_client(struct cf_ctx *ctx);
void diag_listener_server(struct cf_ctx *ctx);
void diag_connection_client(struct cf_ctx *ctx);
void diag_connection_server(struct cf_ctx *ctx);

#endif
