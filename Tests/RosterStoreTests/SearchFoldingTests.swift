import RosterStore
import Testing

@Suite("SearchFolding")
struct SearchFoldingTests {
    @Test(
        "folding removes case and diacritics, and maps letters without a decomposition",
        arguments: [
            ("Zoë", "zoe"), ("Ødegård", "odegard"), ("ÆRØ", "aero"), ("Straße", "strasse"), ("Łódź", "lodz"),
            ("Đorđević", "dordevic"), ("São Paulo", "sao paulo"), ("UK Staff", "uk staff"), ("李", "李"),
        ])
    func folds(input: String, expected: String) {
        #expect(SearchFolding.fold(input) == expected)
    }

    @Test("words are the folded runs of letters and digits")
    func words() {
        #expect(SearchFolding.words(in: "uk-london Ops (2024)") == ["uk", "london", "ops", "2024"])
        #expect(SearchFolding.words(in: "  ") == [])
    }
}
