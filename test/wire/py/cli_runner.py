# Runs AWS CLI command lines through the CLI's own script (/usr/bin/aws, or the `aws` of pyenv) in this one
# Python process, for test/wire/cli-runner.ts: one command at a time, each as if it were its own process.
#
#   python cli_runner.py <script> <scratch dir>
#
# (The scratch folder gets a copy of the running command's stderr, which the caller reports if this
# process dies in the middle of a command.)
#
# Requests come one JSON line each on fd 3: {"args", "env", "cwd", "input" (base64)}. Each answer is one JSON
# line on fd 4: {"code", "stdout", "stderr"} (base64 of the bytes written). fd 0, 1 and 2 are the command's
# own: for each command they are (dup2) new Unix stream sockets, as node's spawn gives a process: the input
# is written to fd 0 and its end closed, and fd 1 and fd 2 are read until every writer has closed them. So
# whatever the CLI writes, through sys.stdout, sys.__stdout__ or a child process, is its output and nothing
# can reach the protocol; and /dev/stdin fails with ENXIO as in the CLI's own process.
#
# Per command: os.environ is exactly the given env (plus what awscli/__init__.py adds to AWS_DATA_PATH on
# import, as in a new process), the cwd is the given one, sys.argv is [script, *args], and the script runs
# with runpy as `python <script>` would (its `sys.exit(main())` gives the exit code; an uncaught exception
# prints its traceback and gives 1). Afterwards the environment, cwd, standard streams, logging
# configuration and warning filters are put back, so nothing carries over to the next command: the script
# makes a new driver and session each time. What is read only at start-up or import (Python's own
# variables, HOME) is the same for every command here: the caller starts another process when it differs.
import base64
import io
import json
import logging
import os
import runpy
import socket
import sys
import threading
import time
import traceback
import warnings

SCRIPT = sys.argv[1]
SCRATCH = sys.argv[2]
# `python <script>` puts the script's (real) folder first on sys.path, where this file's folder is now.
sys.path[0] = os.path.dirname(os.path.realpath(SCRIPT))
sys.argv = [SCRIPT]

requests = os.fdopen(3, 'rb')
answers = os.fdopen(4, 'wb')
for fd in (3, 4):
    os.set_inheritable(fd, False)

# The standard streams as this interpreter made them; each command gets new ones like them.
ORIGINAL_FDS = {fd: os.dup(fd) for fd in (0, 1, 2)}
for fd in ORIGINAL_FDS.values():
    os.set_inheritable(fd, False)
STREAMS = (sys.stdin, sys.stdout, sys.stderr)
BASE_ENV = dict(os.environ)
BASE_CWD = os.getcwd()

import awscli  # noqa: E402  (after sys.path is the script's; what the script imports first)
import awscli.clidriver  # noqa: E402,F401  (loaded once; the cost every new process pays)

AWSCLI_DATA = os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), 'data')


def awscli_data_path():
    """What `import awscli` does to AWS_DATA_PATH in a new process (awscli/__init__.py, v1 and v2 alike)."""
    paths = []
    if 'AWS_DATA_PATH' in os.environ:
        for path in os.environ['AWS_DATA_PATH'].split(os.pathsep):
            paths.append(os.path.expanduser(os.path.expandvars(path)))
    paths.append(AWSCLI_DATA)
    os.environ['AWS_DATA_PATH'] = os.pathsep.join(paths)


def set_environ(env):
    tz = os.environ.get('TZ')
    os.environ.clear()
    os.environ.update(env)
    if os.environ.get('TZ') != tz:
        time.tzset()


def reader(fd, like):
    return io.TextIOWrapper(io.BufferedReader(io.FileIO(fd, 'r', closefd=False)), encoding=like.encoding, errors=like.errors)


def writer(fd, like):
    """A text stream on `fd` made as Python made `like` (unbuffered under -u/PYTHONUNBUFFERED, else buffered)."""
    raw = io.FileIO(fd, 'w', closefd=False)
    binary = raw if isinstance(like.buffer, io.FileIO) else io.BufferedWriter(raw)
    return io.TextIOWrapper(binary, encoding=like.encoding, errors=like.errors, line_buffering=like.line_buffering,
                            write_through=like.write_through)


def logging_state():
    loggers = [logging.root] + [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    return logging.root.manager.disable, {id(lg): (lg, lg.level, list(lg.handlers), lg.propagate, lg.disabled) for lg in loggers}


def restore_logging(state):
    disable, saved = state
    logging.disable(disable)
    for lg in [logging.root] + [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]:
        if id(lg) in saved:
            _, level, handlers, propagate, disabled = saved[id(lg)]
        else:
            level, handlers, propagate, disabled = logging.NOTSET, [], True, False
        for h in lg.handlers:
            if h not in handlers:
                try:
                    h.close()
                except Exception:
                    pass
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate
        lg.disabled = disabled


def filters_mutated():
    """Forgets which warnings were shown (every module's __warningregistry__ holds the filters' version)."""
    getattr(warnings, '_filters_mutated', lambda: None)()


def exit_status(code):
    """The status a process ending with SystemExit(code) has (Python's own handling at exit)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(f'{code}\n')
    except Exception:
        pass
    return 1


def flush(*streams):
    for s in streams:
        try:
            s.flush()
        except Exception:
            pass


def feed(sock, data):
    """Writes the command's input and closes its end, as `run` does with the process's stdin."""
    try:
        sock.sendall(data)
    except OSError:
        pass  # the command closed its stdin unread
    finally:
        sock.close()


def collect(sock, into, copy=None):
    """Reads one of the command's output streams until every writer (the CLI and any child) has closed it."""
    with sock:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return
            into += chunk
            if copy:
                copy.write(chunk)
                copy.flush()


def run(req):
    """Runs one command line as its own process would run and answers {code, stdout, stderr}."""
    # As with `run` from test/harness.ts (node's spawn): the standard streams are Unix stream sockets.
    stdin, stdin_end = socket.socketpair()
    stdout_end, stdout = socket.socketpair()
    stderr_end, stderr = socket.socketpair()
    out, err = bytearray(), bytearray()
    # The command's stderr is also kept in the scratch folder, for a report if this process dies meanwhile.
    err_copy = open(os.path.join(SCRATCH, 'stderr'), 'wb')
    threads = [
        threading.Thread(target=feed, args=(stdin_end, base64.b64decode(req.get('input') or ''))),
        threading.Thread(target=collect, args=(stdout_end, out)),
        threading.Thread(target=collect, args=(stderr_end, err, err_copy)),
    ]
    for t in threads:
        t.start()
    saved_logging = logging_state()
    saved_filters = warnings.filters[:]
    try:
        set_environ(req['env'])
        awscli_data_path()
        os.chdir(req['cwd'])
        for sock, fd in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(sock.fileno(), fd)
            sock.close()
        sys.stdin, sys.stdout, sys.stderr = reader(0, STREAMS[0]), writer(1, STREAMS[1]), writer(2, STREAMS[2])
        sys.argv = [SCRIPT] + list(req['args'])
        filters_mutated()  # "once"/"default" warnings show again, as in a new process
        try:
            runpy.run_path(SCRIPT, run_name='__main__')
            code = 0
        except SystemExit as e:
            code = exit_status(e.code)
        except BaseException:
            traceback.print_exc()
            code = 1
        flush(sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)
    finally:
        sys.stdin, sys.stdout, sys.stderr = STREAMS
        for fd, original in ORIGINAL_FDS.items():
            os.dup2(original, fd)  # closes this process's ends of the command's streams
        sys.argv = [SCRIPT]
        os.chdir(BASE_CWD)
        set_environ(BASE_ENV)
        restore_logging(saved_logging)
        warnings.filters[:] = saved_filters
        filters_mutated()
    for t in threads:
        t.join()
    err_copy.close()
    return {'code': code, 'stdout': base64.b64encode(bytes(out)).decode(), 'stderr': base64.b64encode(bytes(err)).decode()}


while True:
    line = requests.readline()
    if not line:
        break
    answers.write(json.dumps(run(json.loads(line))).encode() + b'\n')
    answers.flush()
