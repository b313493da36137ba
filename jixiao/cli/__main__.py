from jixiao.cli import main

main()
