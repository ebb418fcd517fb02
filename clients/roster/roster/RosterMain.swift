import ArgumentParser
import RosterCLI

/// The `roster` executable: everything lives in RosterCLI so that it can be tested.
@main
enum RosterMain {
    static func main() async {
        await Roster.main()
    }
}
