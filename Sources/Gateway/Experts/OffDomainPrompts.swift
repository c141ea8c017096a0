/// Built-in generic prompts for the router's "none" class: everyday requests no specialised expert should take
/// (small talk, cooking, sport, maths, general programming, science, history, travel, health, writing, money,
/// well-known products and real places). `ExpertRouterTrainer` drops any that is nearly identical to one of an
/// expert's prompts, so an expert that does cover one of these topics keeps it.
///
/// Written for this purpose and disjoint from docs/examples/experts/off-domain.txt, which measures the router.
public enum OffDomainPrompts {
    public static let generic: [String] = [
        // Small talk
        "Hello!", "Hi, who am I talking to?", "How's it going?", "Good evening!", "Thank you so much.",
        "Can you tell me a fun fact?", "What can you do?", "I'm bored, any ideas?", "Goodbye, talk later.",
        "Are you a robot?",
        // Cooking
        "How do I make pancakes from scratch?", "What can I cook with rice, eggs and spinach?",
        "How long do I bake a potato in the oven?", "What's a good vegetarian lasagna recipe?",
        "How do I make my cookies chewier?", "Can I freeze cooked pasta?", "What spices go well with lentils?",
        "How do I sharpen a kitchen knife?", "What is the difference between baking soda and baking powder?",
        "How do I make cold brew coffee?",
        // Sport and games
        "Who won the Tour de France last year?", "Explain the offside rule in soccer.",
        "How do I improve my running pace?", "What are the rules of chess castling?", "How many sets are in a tennis match?",
        "Which team has won the most NBA championships?", "What's a good beginner yoga routine?",
        "How do I get better at swimming freestyle?",
        // Maths
        "What is 48 divided by 6?", "What is the derivative of x squared?", "Convert 5 miles to kilometres.",
        "What is the area of a circle with radius 3?", "Is 91 a prime number?", "What is 2 to the power of 10?",
        "Explain what a standard deviation is.", "How do I calculate compound interest?",
        // General programming
        "How do I sort a dictionary by value in Python?", "What is the difference between a process and a thread?",
        "Why is my JavaScript promise returning undefined?", "How do I undo the last git commit?",
        "Explain object-oriented programming in simple words.", "What does the static keyword mean in Java?",
        "How do I center a div with CSS?", "What is Big O notation?", "How do I install a package with npm?",
        "What is a REST API?", "How do I write a unit test in Swift?", "What's the difference between TCP and UDP?",
        // Science and nature
        "Why is the sky blue?", "How do vaccines work?", "What is photosynthesis?", "How big is the Sun compared to the Earth?",
        "What causes thunder?", "How do bees make honey?", "What is a black hole?", "Why do cats purr?",
        "What is the boiling point of water at high altitude?", "How do plants know which way is up?",
        // History and culture
        "When did the Second World War end?", "Who was Cleopatra?", "What was the Renaissance?",
        "Who invented the telephone?", "Why did the Roman Empire fall?", "What is the oldest university in the world?",
        "Recommend a classic novel to read.", "Who composed the Four Seasons?",
        // Real places and travel
        "What is the capital of Brazil?", "How tall is Mount Everest?", "What language do they speak in Belgium?",
        "What currency is used in Switzerland?", "What is the population of Tokyo?", "Which is the largest island in the Mediterranean?",
        "What should I see in Paris in two days?", "Do I need a visa to visit Japan?", "What's the best time of year to visit Iceland?",
        "How do I avoid jet lag?", "What's the longest river in Africa?", "When is the cherry blossom season in Kyoto?",
        // Health and home
        "How many hours of sleep does a teenager need?", "What stretches help with back pain?", "Is it bad to drink coffee at night?",
        "How do I get rid of fruit flies?", "How often should I water a cactus?", "How do I remove a red wine stain?",
        "What's a good way to start meditating?", "How can I make my apartment warmer in winter?",
        // Writing and language
        "Proofread this sentence: their going to the park tomorrow.", "Write a birthday message for my sister.",
        "Give me a synonym for happy.", "How do I write a good essay introduction?", "What is the plural of cactus?",
        "Write a limerick about a dog.", "Help me write an apology email to my boss.", "Translate 'good night' into French.",
        // Money and work
        "How do I make a monthly budget?", "What is an index fund?", "How should I prepare for a job interview?",
        "How do I ask for a raise?", "What's the difference between a Roth IRA and a traditional IRA?",
        // Well-known products and services
        "How do I take a screenshot on Windows?", "How do I reset my iPhone to factory settings?",
        "How do I recover a deleted email in Gmail?", "How do I turn on dark mode in Google Chrome?",
        "How do I cancel an order on eBay?", "How do I change my profile picture on Instagram?",
        "How much does a Disney Plus subscription cost?", "How do I free up storage on my Android phone?",
        "How do I share a Google Doc with someone?", "How do I contact PayPal customer service?",
        // Entertainment
        "Recommend a good sci-fi movie.", "Who sang Bohemian Rhapsody?", "What are some good board games for four players?",
        "Suggest a podcast about history.", "What's a good name for a goldfish?",
    ]
}
