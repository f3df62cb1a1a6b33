use std::net::{Ipv4Addr, TcpListener};

/// Asks the kernel for a free loopback port. The port is released before llama-server binds it,
/// so another program could take it in between; llama-server then exits while loading and the
/// start fails with its output.
pub fn pick_free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}
