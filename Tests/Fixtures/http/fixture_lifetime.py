"""Shared by the test servers in this folder: a server started by a test process exits
when that process has gone (statics in the test process are never deinitialised, so
nobody stops it), and SIGTERM stops it even when the test runner passed SIGTERM down as
ignored."""

import os, signal, threading, time


def _exit_with_parent(parent):
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def bind_to_parent():
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
