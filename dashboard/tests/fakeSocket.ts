// A WebSocket stand-in that tests open, feed and close by hand.

import type { SocketLike } from '../src/connection/reconnectingSocket';

export class FakeSocket implements SocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  closedByClient = false;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.closedByClient = true;
  }

  serverOpens(): void {
    this.onopen?.({});
  }

  serverSends(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  serverCloses(): void {
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }
}

/** Records every socket created, newest last. */
export function socketFactory(): { sockets: FakeSocket[]; create: (url: string) => FakeSocket; latest: () => FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    create: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    latest: () => {
      const socket = sockets[sockets.length - 1];
      if (!socket) {
        throw new Error('no socket was created');
      }
      return socket;
    },
  };
}
