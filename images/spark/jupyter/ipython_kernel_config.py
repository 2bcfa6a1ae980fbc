# A notebook's output is the lesson. The kernel starts Spark's JVM, whose own stderr (the
# JDK's "Using incubator modules" line, Hadoop's native-library warning, log4j) would print
# into the cell that made the session; left uncaptured, it goes to Jupyter's log instead
# (`make logs SERVICE=jupyter`). Python's own output and errors still show in the cells.
c = get_config()  # noqa: F821 (IPython's config loader defines it)
c.IPKernelApp.capture_fd_output = False
