from reportedly.cli import main

# Guarded: worker processes (spawn/forkserver) import this module as __mp_main__.
if __name__ == "__main__":
    main()
